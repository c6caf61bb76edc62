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
	// Form is ID/VERSION of a published form.
	Form string `json:"form,omitempty"`
	// Alarm and By name an acknowledged alarm and the label of the
	// responder who acknowledged it.
	Alarm string `json:"alarm,omitempty"`
	By    string `json:"by,omitempty"`
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

// Audit returns hub's whole audit log, oldest first, all in memory: for
// maintenance and tests. What answers clients pages with [Store.AuditAfter].
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

// AuditAfter returns up to limit (at most [MaxPage]) events of hub's audit
// log after event number after (0 for the start), oldest first, with the
// number to resume after and whether more follow, in one read
// transaction. A number the log has not reached is [ErrCursorAhead].
func (s *Store) AuditAfter(hub string, after uint64, limit int) (events []AuditEvent, next uint64, more bool, err error) {
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	next = after
	err = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit).Bucket([]byte(hub))
		if b == nil || after > b.Sequence() {
			if after != 0 {
				return ErrCursorAhead
			}
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(binary.BigEndian.AppendUint64(nil, after+1)); k != nil; k, v = c.Next() {
			if len(events) == limit {
				more = true
				return nil
			}
			if len(k) != 8 {
				return fmt.Errorf("corrupt audit key %x", k)
			}
			var ev AuditEvent
			if err := json.Unmarshal(v, &ev); err != nil {
				return err
			}
			events = append(events, ev)
			next = binary.BigEndian.Uint64(k)
		}
		return nil
	})
	if err != nil {
		return nil, 0, false, fmt.Errorf("store: unable to read the audit log of %q: %w", hub, err)
	}
	return events, next, more, nil
}
