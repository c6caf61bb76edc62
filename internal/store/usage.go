package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Stored bytes. The store keeps, per hub, the total size of the ciphertext
// it holds, in bucket usage (hub id → 8 bytes, big-endian). Every
// transaction that writes or deletes a submission moves the count in the
// same transaction, so a quota can be enforced inside the very commit that
// would exceed it ([Upload.LimitStored]): concurrent uploads, even those
// bbolt batches into one transaction, cannot overshoot it together.
//
// The count is a number of bytes and nothing else: no time, no id. [Open]
// recomputes it from the submissions, so a database written before the
// count existed, or restored from an old backup, starts right; [Verify]
// checks it.
var bucketUsage = []byte("usage")

// ErrQuotaExceeded is returned by [Upload.Commit] when the submission would
// take its hub over the limit set with [Upload.LimitStored].
var ErrQuotaExceeded = errors.New("store: the hub's storage quota would be exceeded")

// LimitStored makes [Upload.Commit] fail with [ErrQuotaExceeded] if the
// hub would then hold more than max bytes of ciphertext (0: no limit). A
// replacement (rekey) is never refused: it swaps ciphertext of about the
// same size, and a hub over its quota must still be able to move its
// archive to new keys.
func (u *Upload) LimitStored(max int64) { u.limit = max }

// StoredBytes returns the bytes of ciphertext hub holds, as committed.
func (s *Store) StoredBytes(hub string) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		n = usage(tx, hub)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to read the stored bytes of %q: %w", hub, err)
	}
	return n, nil
}

func usage(tx *bolt.Tx, hub string) int64 {
	b := tx.Bucket(bucketUsage)
	if b == nil {
		return 0
	}
	if v := b.Get([]byte(hub)); len(v) == 8 {
		return int64(binary.BigEndian.Uint64(v))
	}
	return 0
}

// addUsage moves hub's count by delta (negative for deletions).
func addUsage(tx *bolt.Tx, hub string, delta int64) error {
	if delta == 0 {
		return nil
	}
	b, err := tx.CreateBucketIfNotExists(bucketUsage)
	if err != nil {
		return err
	}
	return b.Put([]byte(hub), binary.BigEndian.AppendUint64(nil, uint64(max(0, usage(tx, hub)+delta))))
}

// checkQuota refuses adding size bytes to hub if it would pass limit.
func checkQuota(tx *bolt.Tx, hub string, size, limit int64) error {
	if limit > 0 && usage(tx, hub)+size > limit {
		return ErrQuotaExceeded
	}
	return nil
}

// storedByHub sums the sizes of every hub's submissions.
func storedByHub(tx *bolt.Tx) (map[string]int64, error) {
	sums := map[string]int64{}
	subs := tx.Bucket(bucketSubs)
	err := subs.ForEachBucket(func(hub []byte) error {
		sums[string(hub)] = 0
		return subs.Bucket(hub).ForEach(func(k, v []byte) error {
			sub, err := decodeSubmission(k, v)
			if err != nil {
				return err
			}
			sums[string(hub)] += sub.Size
			return nil
		})
	})
	return sums, err
}

// recountUsage sets every hub's count from its submissions, at [Open].
func (s *Store) recountUsage() error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		sums, err := storedByHub(tx)
		if err != nil {
			return err
		}
		b, err := tx.CreateBucketIfNotExists(bucketUsage)
		if err != nil {
			return err
		}
		var stale [][]byte
		b.ForEach(func(k, _ []byte) error {
			if _, ok := sums[string(k)]; !ok {
				stale = append(stale, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		for hub, n := range sums {
			v := binary.BigEndian.AppendUint64(nil, uint64(n))
			if old := b.Get([]byte(hub)); string(old) == string(v) {
				continue // no write when nothing changed
			}
			if err := b.Put([]byte(hub), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to count stored bytes: %w", err)
	}
	return nil
}

// verifyUsage reports every hub whose count differs from the sum of its
// submissions' sizes. A database without counts (written by an older
// version, opened read-only) has nothing to check.
func verifyUsage(tx *bolt.Tx) []error {
	b := tx.Bucket(bucketUsage)
	if b == nil {
		return nil
	}
	sums, err := storedByHub(tx)
	if err != nil {
		return nil // the submissions' own check reports it
	}
	var errs []error
	for hub, n := range sums {
		if got := usage(tx, hub); got != n {
			errs = append(errs, fmt.Errorf("hub %q: stored-bytes count %d, but its submissions hold %d bytes", hub, got, n))
		}
	}
	b.ForEach(func(k, v []byte) error {
		if _, ok := sums[string(k)]; !ok && len(v) == 8 && binary.BigEndian.Uint64(v) != 0 {
			errs = append(errs, fmt.Errorf("hub %q: stored-bytes count %d, but it has no submissions", k, binary.BigEndian.Uint64(v)))
		}
		return nil
	})
	return errs
}
