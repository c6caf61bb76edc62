package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bucketTokens held responders' login sessions in earlier versions, keyed
// by the SHA-256 of the token, with the recipient and the expiry to the
// nanosecond: a copy of the database said which key logged in and when.
// Sessions now live in the server's memory only (package auth).
var bucketTokens = []byte("tokens")

// DropTokens deletes the login sessions an earlier version stored. The
// pages they used are free for reuse; `difesad compact` rewrites the file
// without them.
func (s *Store) DropTokens() error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketTokens) == nil {
			return nil
		}
		return tx.DeleteBucket(bucketTokens)
	})
	if err != nil {
		return fmt.Errorf("store: unable to drop stored sessions: %w", err)
	}
	return nil
}
