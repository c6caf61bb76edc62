package store

import bolt "go.etcd.io/bbolt"

// hubEntries decodes every entry of hub's nested bucket under top, in key
// order, in one read transaction. A hub with no bucket has no entries.
func hubEntries[T any](s *Store, top []byte, hub string, decode func(k, v []byte) (T, error)) ([]T, error) {
	var out []T
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(top).Bucket([]byte(hub))
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
