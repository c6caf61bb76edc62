// Package store keeps difesa's data in a single bbolt file: submissions as
// ciphertext chunks plus a little metadata, and the signed bulletins hubs publish (public documents, nothing about
// defenders).
//
// The store is where "the server never holds plaintext" is either kept or
// broken, so it is deliberately narrow: it accepts opaque bytes and the few
// facts listed in [Submission], and nothing from HTTP requests.
//
// # Durability
//
// Every write goes through [bbolt.DB.Update] or [bbolt.DB.Batch], whose
// commits are fsync'd before they return. An upload writes its chunks under a
// pending marker; the last write adds the submission's record and removes the
// marker in one transaction, so a submission is visible if and only if all of
// its chunks are on disk. [Open] deletes the chunks of every upload still
// pending, which is what a crash or a dropped connection leaves behind.
//
// # Caveats
//
// bbolt reuses freed pages without wiping them: deleted ciphertext can stay in
// the file until the pages are overwritten or the file is compacted.
package store
