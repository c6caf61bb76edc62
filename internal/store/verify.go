package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Verify checks the database's consistency: every submission has chunks
// 0..Chunks-1 whose sizes add up to its Size, and every chunk belongs to a
// submission or to an upload still pending. It returns all problems found.
func (s *Store) Verify() error {
	var errs []error
	err := s.db.View(func(tx *bolt.Tx) error {
		owners := map[ID]uint32{} // id → expected chunk count
		sizes := map[ID]int64{}
		seen := map[ID]int64{}
		counts := map[ID]uint32{}
		err := tx.Bucket(bucketSubs).ForEachBucket(func(hub []byte) error {
			return tx.Bucket(bucketSubs).Bucket(hub).ForEach(func(k, v []byte) error {
				sub, err := decodeSubmission(k, v)
				if err != nil {
					errs = append(errs, err)
					return nil
				}
				owners[sub.ID], sizes[sub.ID] = sub.Chunks, sub.Size
				return nil
			})
		})
		if err != nil {
			return err
		}
		pending := map[ID]bool{}
		tx.Bucket(bucketPending).ForEach(func(k, _ []byte) error {
			var id ID
			copy(id[:], k)
			pending[id] = true
			return nil
		})
		err = tx.Bucket(bucketChunks).ForEach(func(k, v []byte) error {
			if len(k) != IDSize+4 {
				errs = append(errs, fmt.Errorf("malformed chunk key %x", k))
				return nil
			}
			var id ID
			copy(id[:], k)
			seq := binary.BigEndian.Uint32(k[IDSize:])
			want, ok := owners[id]
			switch {
			case ok && seq >= want:
				errs = append(errs, fmt.Errorf("submission %s: chunk %d beyond its %d chunks", id, seq, want))
			case !ok && !pending[id]:
				errs = append(errs, fmt.Errorf("orphan chunk %d of %s", seq, id))
			}
			seen[id] += int64(len(v))
			counts[id]++
			return nil
		})
		if err != nil {
			return err
		}
		for id, want := range owners {
			if counts[id] != want || seen[id] != sizes[id] {
				errs = append(errs, fmt.Errorf("submission %s: %d of %d chunks, %d of %d bytes", id, counts[id], want, seen[id], sizes[id]))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to verify: %w", err)
	}
	return errors.Join(errs...)
}
