// Package vocab is the controlled vocabulary that hubs code their cases
// with, so that figures from different hubs mean the same thing and add up:
// what was done (act), by whom (perpetrator), which rights it touched
// (right), to whom (profile), where (country, region) and when (time).
//
// Every term has a stable code, an English label, a short scope note and a
// label in each of the [Languages]. docs/monitoring.md presents the
// vocabulary and the coding guide; docs/vectors/vocabulary.json is the list
// of shared codes and the test vectors for other implementations.
//
// # Codes
//
// A shared code is its scheme and a path of lowercase segments,
// "act.threat.online": the parent of a term is its code without the last
// segment ("act.threat"), and a term with two segments is at the top of its
// scheme. Countries are "country." and an ISO 3166-1 alpha-2 code
// ("country.SI"); regions are "region." and a Eurostat NUTS code
// ("region.SI04"), or a hub's own; times are a month ("2026-03"), a
// quarter ("2026-Q1") or a year ("2026"), without a scheme prefix.
//
// Some codes are valid by rule rather than listed: every officially
// assigned ISO 3166-1 code and XK, Kosovo (names ship for the Council of Europe's member
// states, Belarus, Russia and Kosovo; the others are labelled by their
// code), every code of NUTS shape whose country is in NUTS, and every
// month, quarter and year from 1900 to 2999.
//
// A hub adds terms of its own under "x-HUBID." ([ParseExtensions]): never a
// shared code, never a term that a shared code already names. The functions
// of the package see the shared vocabulary; the methods of [Extensions] see
// it together with one hub's terms, and a nil *Extensions is the shared
// vocabulary alone.
//
// # Stability
//
// Shared codes are never removed, renamed or given another meaning: the
// tests hold them against docs/vectors/vocabulary.json, and regenerating
// that file refuses to drop a code. Labels and scope notes may be
// reworded.
//
// # Caveats
//
// The translations await review by native speakers (labels/_context.json).
// NUTS codes are checked for shape and country only: the package does not
// ship the NUTS list, so "region.SI09" is valid although Eurostat has no
// such region. A hub's list is trusted as its administrator wrote it:
// [ParseExtensions] checks form and limits, not authenticity.
package vocab
