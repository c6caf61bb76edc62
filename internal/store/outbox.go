package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The outbox holds notification events until they are delivered. An event
// is written in the same transaction as what it announces (a submission's
// commit, a check-in timer firing), so a crash can lose neither without the
// other. Delivery (internal/notify) reads and updates it.
//
// Events carry no precise time: only the hour they were created in, like
// everything else about defenders in this store.

var bucketOutbox = []byte("outbox")

// Event is something to tell a hub's responders, without content.
type Event struct {
	// ID is stable across retries and restarts: receivers deduplicate on it.
	ID   string `json:"id"`
	Hub  string `json:"hub"`
	Type string `json:"type"`
	// Urgent events are delivered at once; others are batched per channel.
	Urgent bool `json:"urgent,omitempty"`
	// Submission is the id of the submission concerned, for channels that
	// opt in to receiving it.
	Submission string    `json:"submission,omitempty"`
	Created    time.Time `json:"created"`
	// Deliveries is the state of each channel's delivery, by channel name.
	Deliveries map[string]*Delivery `json:"deliveries,omitempty"`

	seq uint64
}

// Seq is the event's position in the outbox.
func (e *Event) Seq() uint64 { return e.seq }

// Delivery is one channel's progress with one event.
type Delivery struct {
	State     string `json:"state"` // pending, delivered, failed
	Attempts  int    `json:"attempts,omitempty"`
	LastError string `json:"last_error,omitempty"`
	// Batch is the id of the notification that carried (or will carry)
	// this event, fixed before the first attempt so that retries and
	// restarts resend the same id.
	Batch string `json:"batch,omitempty"`
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Notify adds ev to the outbox when the upload commits, in the same
// transaction. ev.Submission may be left empty: it is filled with the
// submission's id.
func (u *Upload) Notify(ev Event) { u.events = append(u.events, ev) }

func (s *Store) putEvent(tx *bolt.Tx, ev Event) error {
	b := tx.Bucket(bucketOutbox)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	if ev.ID == "" {
		ev.ID = NewID().String()
	}
	ev.Created = s.hour()
	v, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return b.Put(binary.BigEndian.AppendUint64(nil, seq), v)
}

// outboxCache mirrors the outbox decoded. The notification worker reads
// the outbox on every pass, and with reports batched for ten minutes it
// can hold thousands of events: decoding them all each time cost ingest
// throughput. Events are only ever appended (putEvent, with increasing
// sequence numbers in commit order) or changed and removed through
// [Store.UpdateEvents], so the cache reads what was appended since its
// last look and applies its own updates. The mutex serialises the two,
// so no reader sees the database and the cache disagree.
type outboxCache struct {
	mu   sync.Mutex
	evs  []*Event // by sequence number
	next uint64   // the first sequence number not read yet
}

// Events returns every event in the outbox, oldest first. The events are
// the caller's to change.
func (s *Store) Events() ([]*Event, error) {
	c := &s.outbox
	c.mu.Lock()
	defer c.mu.Unlock()
	err := s.db.View(func(tx *bolt.Tx) error {
		cur := tx.Bucket(bucketOutbox).Cursor()
		for k, v := cur.Seek(binary.BigEndian.AppendUint64(nil, c.next)); k != nil; k, v = cur.Next() {
			ev := &Event{}
			if err := json.Unmarshal(v, ev); err != nil {
				return fmt.Errorf("corrupt event %x: %w", k, err)
			}
			ev.seq = binary.BigEndian.Uint64(k)
			c.evs = append(c.evs, ev)
			c.next = ev.seq + 1
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the outbox: %w", err)
	}
	out := make([]*Event, len(c.evs))
	for i, ev := range c.evs {
		out[i] = ev.clone()
	}
	return out, nil
}

// clone returns a copy of ev that shares nothing with it.
func (ev *Event) clone() *Event {
	c := *ev
	if ev.Deliveries != nil {
		c.Deliveries = make(map[string]*Delivery, len(ev.Deliveries))
		for name, d := range ev.Deliveries {
			dc := *d
			c.Deliveries[name] = &dc
		}
	}
	return &c
}

// UpdateEvents applies fn to the stored events with the given sequence
// numbers and saves them, in one transaction. fn may set an event's
// deliveries; returning delete=true removes the event.
func (s *Store) UpdateEvents(seqs []uint64, fn func(ev *Event) (delete bool)) error {
	c := &s.outbox
	c.mu.Lock()
	defer c.mu.Unlock()
	changed := map[uint64]*Event{} // nil: deleted
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		for _, seq := range seqs {
			k := binary.BigEndian.AppendUint64(nil, seq)
			v := b.Get(k)
			if v == nil {
				continue
			}
			ev := &Event{}
			if err := json.Unmarshal(v, ev); err != nil {
				return err
			}
			ev.seq = seq
			if fn(ev) {
				if err := b.Delete(k); err != nil {
					return err
				}
				changed[seq] = nil
				continue
			}
			nv, err := json.Marshal(ev)
			if err != nil {
				return err
			}
			if err := b.Put(k, nv); err != nil {
				return err
			}
			changed[seq] = ev.clone()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to update the outbox: %w", err)
	}
	// Only events the cache has read can have been changed here and be
	// in it; newer ones it will read from the database.
	kept := c.evs[:0]
	for _, ev := range c.evs {
		nev, ok := changed[ev.seq]
		switch {
		case !ok:
			kept = append(kept, ev)
		case nev != nil:
			kept = append(kept, nev)
		}
	}
	clear(c.evs[len(kept):])
	c.evs = kept
	return nil
}

// AddEvents adds events that announce nothing being committed (reminders),
// in one transaction.
func (s *Store) AddEvents(evs []Event) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, ev := range evs {
			if err := s.putEvent(tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to add notification events: %w", err)
	}
	return nil
}
