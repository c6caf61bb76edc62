// Package casebook is the responder's desk's local model: the cases of one
// or more hubs, synced through internal/client, decrypted in this process
// with the responder's identities, kept encrypted at rest in an
// internal/vault folder and held decrypted in memory only.
//
// The web application (internal/desk) reads it and calls its actions; it
// never touches the vault or the hub itself.
//
// # What is on disk
//
// Everything is in the vault, sealed under its data key. Vault keys are
// submission and alarm ids and fixed names only, never plaintext:
//
//	sub:HUB       ID → the hub's listing entry, the number of chunks, SEQ
//	age:HUB       SEQ.N → the N-th 32 MiB chunk of the age ciphertext, as sent
//	state:HUB     "cursor" → the submissions cursor; "read" → ids opened
//	alarms:HUB    ID → the alarm, as listed
//	case:HUB      ID → the case record, decrypted, and its version
//	state:HUB     "settings" → the hub record, and who is who on the hub
//
// HUB is the hub's id; SEQ the number the desk gave the submission when
// it took it in (copies kept before the numbers stay under "ID.N"). Each
// record is kept under the UTC day its
// submission arrived, which [Book.Purge] counts from. The full-text index
// and the decrypted bundles are built at [Open] and live in memory only.
//
// # Sync
//
// [Book.Run] lists, per hub, what changed since the cursor and downloads
// only what the vault does not hold yet (or what the hub re-encrypted);
// each page goes into the vault with the cursor after it, in one
// transaction, so that a sync cut short resumes there. The first sync of
// a run also lists every id once, to forget what a colleague deleted. A
// hub that cannot be reached makes the desk read-only for it: reads work
// from the local copy, actions return [ErrReadOnly].
//
// Replies and acknowledgement notes are encrypted and sent through
// internal/sealed, the code path of "difesa reply" and "difesa ack"; case
// work ([Book.EditCase], [Book.EditSettings]) through internal/caseedit,
// the edit loop of "difesa case". The listing carries each case record's
// version: a sync fetches only the records that changed.
//
// # Threat model
//
// Every string in a case came from a stranger. The casebook returns them
// unchanged (the web side escapes everything); it never uses them as a
// vault key, a file name or in a log line. Log lines hold hub ids, counts
// and coarse hours, never submission ids with times.
package casebook
