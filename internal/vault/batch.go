package vault

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Record is one value for [Vault.PutAll].
type Record struct {
	Bucket, Key string
	Value       []byte
	// Kept is the day the record counts from, as for [Vault.Put].
	Kept time.Time
}

// Limits of one [Vault.PutAll].
const (
	MaxBatchRecords = 10_000
	MaxBatchBytes   = 256 << 20
)

// PutAll stores records in one durable transaction: all of them or, on
// any error, none. A sync stores a page of reports this way, paying for
// one disk flush instead of one per record.
func (v *Vault) PutAll(records []Record) error {
	if len(records) > MaxBatchRecords {
		return fmt.Errorf("%w: %d records in one batch, at most %d", ErrTooLarge, len(records), MaxBatchRecords)
	}
	total := 0
	for _, r := range records {
		if err := checkName("bucket", r.Bucket); err != nil {
			return err
		}
		if err := checkName("key", r.Key); err != nil {
			return err
		}
		if len(r.Value) > MaxValueSize {
			return fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(r.Value), MaxValueSize)
		}
		if total += len(r.Value); total > MaxBatchBytes {
			return fmt.Errorf("%w: a batch of more than %d bytes", ErrTooLarge, MaxBatchBytes)
		}
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.db == nil {
		return ErrClosed
	}
	sealed := make([][]byte, len(records))
	for i, r := range records {
		s, err := seal(v.aead, r.Bucket, r.Key, r.Value, dayOf(r.Kept))
		if err != nil {
			return err
		}
		sealed[i] = s
	}
	err := v.db.Update(func(tx *bolt.Tx) error {
		for i, r := range records {
			b, err := tx.CreateBucketIfNotExists([]byte(r.Bucket))
			if err != nil {
				return err
			}
			if err := b.Put([]byte(r.Key), sealed[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("vault: unable to store %d records: %w", len(records), err)
	}
	return nil
}
