package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// AuditEvent is one entry of a hub's audit log: what happened to the hub's
// keys and archive, and the hour. It never says who submitted what.
type AuditEvent struct {
	Event      string    `json:"event"`
	Time       time.Time `json:"time"`
	Epoch      uint64    `json:"epoch,omitempty"`
	Submission string    `json:"submission,omitempty"`
	Bulletin   uint64    `json:"bulletin,omitempty"`
}

// audit appends ev to hub's log inside tx, so the event and what it
// records commit together.
func (s *Store) audit(tx *bolt.Tx, hub string, ev AuditEvent) error {
	b, err := tx.Bucket(bucketAudit).CreateBucketIfNotExists([]byte(hub))
	if err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	ev.Time = s.hour()
	v, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return b.Put(binary.BigEndian.AppendUint64(nil, seq), v)
}

// Audit returns hub's audit log, oldest first.
func (s *Store) Audit(hub string) ([]AuditEvent, error) {
	var out []AuditEvent
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit).Bucket([]byte(hub))
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var ev AuditEvent
			if err := json.Unmarshal(v, &ev); err != nil {
				return err
			}
			out = append(out, ev)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the audit log of %q: %w", hub, err)
	}
	return out, nil
}
