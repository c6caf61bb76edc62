// Package vault is the desk's encrypted local store: everything the
// responder's desk keeps on their laptop (decrypted reports, threads, the
// search index, drafts) lives here, sealed under a data key that only the
// responder's age identity unlocks.
//
// A vault is a folder (mode 0700) holding two files (mode 0600):
//
//   - key.age: a random 256-bit data key, encrypted with age to the
//     responder's recipient. [Open] unwraps it with their identities, which
//     may themselves be protected by a passphrase; the key is never written
//     in the clear.
//   - vault.db: a bbolt database whose every value is sealed with
//     XChaCha20-Poly1305 under the data key. The additional data binds each
//     sealed value to its bucket, its key and its coarse day, so a record
//     cannot be moved to another key or bucket, nor re-dated, without
//     [Vault.Get] refusing it with [ErrTampered].
//
// # Threat model
//
// A stolen or seized laptop, a backup of the home folder, another user of
// the same computer: without the responder's identity (and its passphrase,
// when it has one) nothing in the folder opens. Purging ([Vault.Purge],
// [Vault.PurgeAll]) rewrites the database so that the ciphertext of deleted
// records does not linger in bbolt's free pages, and [Vault.PurgeAll] also
// replaces the data key.
//
// # Caveats
//
// Names are not encrypted: bucket names and record keys are stored as they
// are given, so they must be identifiers (submission ids, fixed names such
// as "reports" or "drafts"), never plaintext: no subject, name, category or
// word of a report may be used as a key. [Put] accepts only short names of
// letters, digits and ".-_:" to make that hard to get wrong.
//
// What shows without the key: the number of records per bucket, their
// sizes (to within the sealing overhead) and the day each was kept (the
// caller passes a coarse day, never a precise time; only its UTC date is
// stored).
//
// The data key is wrapped to the responder's public recipient, which is no
// secret: someone who can write to the folder could replace both files with
// a vault of their own making. The vault keeps what is in it confidential;
// against a folder rewritten by an attacker, as against a replaced desk
// program, it does not help.
//
// A file system or an SSD may keep old blocks after a rewrite; the data key
// of those blocks is wrapped to the responder's identity, so whoever holds
// that identity and a raw image of the disk may recover purged records.
// Full-disk encryption on the laptop covers that case.
package vault
