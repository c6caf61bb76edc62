// Package cap reads and writes the hub bulletins difesa publishes: OASIS
// Common Alerting Protocol 1.2 documents.
//
// A bulletin is signed by the hub's admin key over its exact bytes and
// served exactly as published, so everything that reads one — the server
// before storing it, the defender's client before showing it — runs the
// same strict [Check] first: the XML must survive a round trip through
// encoding/xml unchanged (github.com/mattermost/xml-roundtrip-validator),
// must not use DOCTYPE, entities or processing instructions, and must be a
// CAP 1.2 alert in the subset difesa supports. That subset is written to
// be valid against the official CAP 1.2 XML schema (a test checks it with
// xmllint where the schema file is provided: docs/bulletins.md); what the
// schema allows
// but difesa does not use (resources, XML signatures inside the document)
// is refused with a clear error rather than passed through unchecked.
// [Alert.Marshal] writes the canonical form, and only documents [Check]
// accepts.
//
// # Threat model
//
// Whoever can write to the hub's storage, or sits between it and a
// defender, can offer any bytes as a bulletin; the admin signature, checked
// by the caller, says who wrote them. What this package guarantees is that
// all readers see the same alert in the bytes that were signed:
//
//   - No parser differential: a document that encoding/xml would read
//     differently after a round trip is refused, as are namespace
//     prefixes, comments, CDATA sections and every <!…> and <?…?> except
//     the XML declaration. An accepted document contains no "<!" at all.
//   - No entity expansion, local or remote: a DOCTYPE is refused before any
//     entity could be read, and nothing is ever fetched.
//   - Bounded input: at most [MaxSize] bytes are looked at.
//   - One reading per value: nothing is trimmed or normalised, so white
//     space around an enumerated value or a date-time is refused, not
//     silently dropped. Identifiers and senders are printable and contain
//     no space, comma, '<' or '&'.
//   - Errors never repeat more than a short excerpt of the input, so
//     refusals can be logged without logging bulletins.
//
// # Choices
//
// Where CAP or XML leaves room, [Check] takes the narrower reading:
//
//   - Date-times have an explicit offset, "+hh:mm" or "-hh:mm" ("-00:00"
//     for UTC), never "Z", never fractional seconds, never 24:00:00, and
//     must be real dates. The schema's pattern also matches a comma before
//     the offset, but its base type xs:dateTime does not; a comma is refused.
//   - A byte order mark is refused; the XML declaration, if present, is
//     version 1.0 with encoding UTF-8 (or none), and nothing else.
//   - The CAP namespace is declared once, as the default namespace on
//     <alert>; prefixed CAP elements (<cap:alert xmlns:cap=…>) are valid CAP
//     but refused, as is any attribute anywhere else.
//   - Free text may not be empty or only white space, and may hold no
//     control character but tab, line feed and carriage return.
//   - Polygons, circles and references separate their parts by single
//     spaces. Web links are absolute http or https URLs without user info.
//   - Restriction is present exactly when scope is Restricted, addresses
//     when scope is Private (CAP's rules); an Update, Cancel, Ack or Error
//     names the bulletins it answers in references (difesa's rule).
//
// # Caveats
//
//   - Check is a format check. Whether the sender is the hub's, whether the
//     identifier is new and whether references name real bulletins are the
//     caller's to check, as is the signature.
//   - Free text is not restricted beyond control characters: bidirectional
//     marks and other invisible format characters are legitimate in many
//     languages, so clients must render text as text, never as markup.
//   - The round-trip validator costs far more than the rest: about 1 ms
//     and 2 MB of short-lived allocations for a typical 4 KB bulletin, up
//     to about 80 ms and 170 MB for a 64 KiB document made of tiny elements.
//     A server should verify the admin signature before calling Check.
//   - Times are checked one by one; nothing requires expires to follow
//     sent or onset.
package cap
