package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// hubEntries decodes every entry of hub's nested bucket under top, in key
// order, in one read transaction. A hub with no bucket has no entries.
func hubEntries[T any](s *Store, top []byte, hub string, decode func(k, v []byte) (T, error)) ([]T, error) {
	var out []T
	err := s.db.View(func(tx *bolt.Tx) error {
		t := tx.Bucket(top)
		if t == nil { // a bucket newer than a file opened read-only
			return nil
		}
		b := t.Bucket([]byte(hub))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			e, err := decode(k, v)
			if err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	return out, err
}

// decodeNumbered decodes a JSON record stored under an 8-byte big-endian
// number (a bulletin's sequence, a manifest's epoch) and returns it with
// the number; what names the record in errors.
func decodeNumbered[T any](what string, k, v []byte) (T, uint64, error) {
	var rec T
	if len(k) != 8 {
		return rec, 0, fmt.Errorf("corrupt %s key %x", what, k)
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec, 0, fmt.Errorf("corrupt %s %x: %w", what, k, err)
	}
	return rec, binary.BigEndian.Uint64(k), nil
}
