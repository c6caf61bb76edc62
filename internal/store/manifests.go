package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrEpochTaken is returned by [Store.PutManifest] when the hub's latest
// epoch is not the one the caller built on: someone published first.
var ErrEpochTaken = errors.New("store: the hub's manifest changed meanwhile")

// StoredManifest is a hub's signed manifest as kept: the transport JSON
// exactly as received, and the hour it was accepted.
type StoredManifest struct {
	Epoch     uint64    `json:"-"`
	Signed    []byte    `json:"signed"`
	Published time.Time `json:"published"`
}

func epochKey(e uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, e)
}

// Manifests returns every stored manifest of hub, oldest first.
func (s *Store) Manifests(hub string) ([]StoredManifest, error) {
	out, err := hubEntries(s, bucketManifests, hub, decodeManifest)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read manifests of %q: %w", hub, err)
	}
	return out, nil
}

func decodeManifest(k, v []byte) (StoredManifest, error) {
	m, epoch, err := decodeNumbered[StoredManifest]("manifest", k, v)
	m.Epoch = epoch
	return m, err
}

// PutManifest stores the signed manifest of epoch, which the caller has
// verified as the successor of epoch prev (0 for the first). It fails with
// [ErrEpochTaken] unless prev is still the hub's latest epoch, so that two
// concurrent publications cannot both win. The publication is audited in
// the same transaction.
func (s *Store) PutManifest(hub string, prev, epoch uint64, signed []byte) (StoredManifest, error) {
	m := StoredManifest{Epoch: epoch, Signed: signed, Published: s.hour()}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bucketManifests).CreateBucketIfNotExists([]byte(hub))
		if err != nil {
			return err
		}
		var latest uint64
		if k, _ := b.Cursor().Last(); k != nil {
			latest = binary.BigEndian.Uint64(k)
		}
		if latest != prev {
			return ErrEpochTaken
		}
		v, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if err := b.Put(epochKey(epoch), v); err != nil {
			return err
		}
		return s.audit(tx, hub, AuditEvent{Event: "manifest.published", Epoch: epoch})
	})
	if err != nil {
		return m, fmt.Errorf("store: unable to save manifest %d of %q: %w", epoch, hub, err)
	}
	return m, nil
}

// EpochCounts returns how many of hub's submissions are addressed to each
// epoch.
func (s *Store) EpochCounts(hub string) (map[uint64]int, error) {
	counts := map[uint64]int{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := hubBucket(tx, hub)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var rec struct {
				Epoch uint64 `json:"epoch"`
			}
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("corrupt submission %x: %w", k, err)
			}
			counts[rec.Epoch]++
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to count the epochs of %q: %w", hub, err)
	}
	return counts, nil
}

// SubmissionTotals returns how many submissions hub holds of each kind
// and their total size, read in one transaction without keeping them.
func (s *Store) SubmissionTotals(hub string) (map[string]int, int64, error) {
	kinds := map[string]int{}
	var size int64
	err := s.db.View(func(tx *bolt.Tx) error {
		b := hubBucket(tx, hub)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var rec struct {
				Kind string `json:"kind"`
				Size int64  `json:"size"`
			}
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("corrupt submission %x: %w", k, err)
			}
			kinds[rec.Kind]++
			size += rec.Size
			return nil
		})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to count the submissions of %q: %w", hub, err)
	}
	return kinds, size, nil
}

// hour is the current time rounded down to the hour, the only precision
// at which the store records when things happened.
func (s *Store) hour() time.Time {
	return s.now().UTC().Truncate(time.Hour)
}
