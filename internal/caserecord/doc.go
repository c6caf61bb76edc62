// Package caserecord defines the case record: the shared state of one
// submission's case (assignee, labels, sub-status, follow-up day, links to
// related cases, internal notes and a history of changes), and the hub
// record (the hub's label set and sub-statuses). Both are JSON plaintexts
// that only responders read: they travel and rest as age files encrypted
// to the hub's current recipients ([Seal], [Open]); the server stores the
// ciphertext, a version and an hour, nothing else (docs/case-record.md).
//
// Two responders may edit the same case at the same time. [Merge] joins
// their records against the version both started from so that nothing is
// lost: notes are append-only by id, labels and links merge as sets of
// adds and removes, single-valued fields go to the last writer by (hour,
// author) and the loser's change stays in the history.
//
// # Threat model
//
// A record comes from any responder of the hub, or from whoever holds a
// responder's key: [Parse] treats it as hostile input (strict JSON, no
// unknown or duplicate members, bounded sizes and counts). Times are
// coarse (the hour), so a record does not say when a responder worked to
// the minute.
//
// # Caveats
//
// The record is not signed: any holder of the hub's key material can
// write one. Authors are labels from the manifest, for humans, not proofs.
package caserecord
