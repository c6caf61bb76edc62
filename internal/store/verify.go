package store

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Verify checks the database's consistency: every submission has chunks
// 0..Chunks-1 whose sizes add up to its Size, and every chunk belongs to a
// submission or to an upload still pending; bulletins are well formed and
// their identifier index agrees with them; the change and conversation
// indexes list every submission once. It returns all problems found.
func (s *Store) Verify() error {
	var errs []error
	err := s.db.View(func(tx *bolt.Tx) error {
		errs = append(errs, verifyBulletins(tx)...)
		errs = append(errs, verifyUsage(tx)...)
		errs = append(errs, verifyIndexes(tx)...)
		type want struct {
			id     ID
			chunks uint32
			size   int64
		}
		owners := map[ID]want{} // blob → its submission
		subs := tx.Bucket(bucketSubs)
		err := subs.ForEachBucket(func(hub []byte) error {
			return subs.Bucket(hub).ForEach(func(k, v []byte) error {
				sub, err := decodeSubmission(k, v)
				if err != nil {
					errs = append(errs, err)
					return nil
				}
				if other, dup := owners[sub.Blob]; dup {
					errs = append(errs, fmt.Errorf("submissions %s and %s share ciphertext", other.id, sub.ID))
				}
				owners[sub.Blob] = want{sub.ID, sub.Chunks, sub.Size}
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
		sizes := map[ID]int64{}
		counts := map[ID]uint32{}
		err = forEachChunk(tx, func(c chunkInfo) {
			w, owned := owners[c.blob]
			switch {
			case !c.ok:
				errs = append(errs, fmt.Errorf("malformed chunk %x/%d", c.blob, c.seq))
				return
			case owned && c.seq >= w.chunks:
				errs = append(errs, fmt.Errorf("submission %s: chunk %d beyond its %d chunks", w.id, c.seq, w.chunks))
			case !owned && !pending[c.blob]:
				errs = append(errs, fmt.Errorf("orphan chunk %d of blob %s", c.seq, c.blob))
			}
			sizes[c.blob] += int64(c.size)
			counts[c.blob]++
		})
		if err != nil {
			return err
		}
		for blob, w := range owners {
			if counts[blob] != w.chunks || sizes[blob] != w.size {
				errs = append(errs, fmt.Errorf("submission %s: %d of %d chunks, %d of %d bytes", w.id, counts[blob], w.chunks, sizes[blob], w.size))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to verify: %w", err)
	}
	return errors.Join(errs...)
}
