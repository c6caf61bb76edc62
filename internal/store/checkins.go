package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"difesa.org/difesa/internal/wire"
)

// Check-ins are a defender's dead-man timers. The store keeps only what the
// timer needs: a verifier of each of the two codes, the interval, the
// grace, the next deadline, the state and the id of the encrypted
// instructions. No history of check-in times is kept: each check-in
// overwrites the deadline.
//
// checkins/<hub>: timer id → Checkin. checkincodes/<hub>: code verifier →
// timer id and whether it is the duress code.
var (
	bucketCheckins     = []byte("checkins")
	bucketCheckinCodes = []byte("checkincodes")
)

// Check-in states.
const (
	CheckinArmed  = "armed"
	CheckinMissed = "missed"
)

// ErrNoCheckin is returned for an unknown code.
var ErrNoCheckin = errors.New("store: no check-in for this code")

// Checkin is one timer.
type Checkin struct {
	ID    ID            `json:"-"`
	Hub   string        `json:"-"`
	Every time.Duration `json:"every"`
	Grace time.Duration `json:"grace"`
	// Round is what deadlines are rounded up to (a minute in production),
	// so the stored deadline tells when the defender last checked in no
	// more precisely than that.
	Round    time.Duration `json:"round,omitempty"`
	Deadline time.Time     `json:"deadline"`
	State    string        `json:"state"`
	// Instructions is the submission (kind checkin) holding the defender's
	// encrypted instructions for responders.
	Instructions ID `json:"-"`

	InstructionsText string `json:"instructions"`
	codes            [2][32]byte
}

type codeEntry struct {
	Timer  string `json:"timer"`
	Duress bool   `json:"duress,omitempty"`
}

// ArmCheckin makes the upload, when committed, the instructions of a new
// check-in timer with the given code verifiers, first due at c.Deadline.
func (u *Upload) ArmCheckin(c Checkin, code, duress [32]byte) {
	c.codes = [2][32]byte{code, duress}
	u.checkin = &c
}

func (u *Upload) armStep(tx *bolt.Tx) error {
	if u.checkin == nil {
		return nil
	}
	c := *u.checkin
	c.ID, c.Hub, c.Instructions, c.State = NewID(), u.hub, u.id, CheckinArmed
	codes, err := tx.Bucket(bucketCheckinCodes).CreateBucketIfNotExists([]byte(u.hub))
	if err != nil {
		return err
	}
	for i, v := range c.codes {
		if codes.Get(v[:]) != nil {
			return errors.New("store: check-in code already in use")
		}
		e, _ := json.Marshal(codeEntry{Timer: c.ID.String(), Duress: i == 1})
		if err := codes.Put(v[:], e); err != nil {
			return err
		}
	}
	return putCheckin(tx, c)
}

func putCheckin(tx *bolt.Tx, c Checkin) error {
	b, err := tx.Bucket(bucketCheckins).CreateBucketIfNotExists([]byte(c.Hub))
	if err != nil {
		return err
	}
	c.InstructionsText = c.Instructions.String()
	// In UTC: deadlines come from the server's clock, in its time.Local,
	// and the server's zone has no place in the database.
	c.Deadline = c.Deadline.UTC()
	v, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return b.Put(c.ID[:], v)
}

func decodeCheckin(hub string, k, v []byte) (Checkin, error) {
	var c Checkin
	if err := json.Unmarshal(v, &c); err != nil {
		return c, fmt.Errorf("corrupt check-in %x: %w", k, err)
	}
	copy(c.ID[:], k)
	c.Hub = hub
	id, err := ParseID(c.InstructionsText)
	if err != nil {
		return c, fmt.Errorf("corrupt check-in %x: %w", k, err)
	}
	c.Instructions = id
	return c, nil
}

func lookupCode(tx *bolt.Tx, hub string, verifier [32]byte) (Checkin, bool, error) {
	codes := tx.Bucket(bucketCheckinCodes).Bucket([]byte(hub))
	timers := tx.Bucket(bucketCheckins).Bucket([]byte(hub))
	var v []byte
	if codes != nil {
		v = codes.Get(verifier[:])
	}
	if v == nil || timers == nil {
		return Checkin{}, false, ErrNoCheckin
	}
	var e codeEntry
	if err := json.Unmarshal(v, &e); err != nil {
		return Checkin{}, false, err
	}
	id, err := ParseID(e.Timer)
	if err != nil {
		return Checkin{}, false, err
	}
	cv := timers.Get(id[:])
	if cv == nil {
		return Checkin{}, false, ErrNoCheckin
	}
	c, err := decodeCheckin(hub, id[:], cv)
	return c, e.Duress, err
}

// CheckIn moves the deadline of the timer of the code with verifier to
// now+Every and returns it. With the duress code it does exactly the same
// and also raises an urgent checkin.duress event and opens a duress alarm
// (or marks the timer's open alarm duress); after a missed deadline a
// normal check-in raises checkin.resumed and marks the open alarm
// checked in again, without closing it. Everything happens in one
// transaction.
func (s *Store) CheckIn(hub string, verifier [32]byte, now time.Time) (Checkin, error) {
	var c Checkin
	err := s.db.Update(func(tx *bolt.Tx) error {
		var duress bool
		var err error
		if c, duress, err = lookupCode(tx, hub, verifier); err != nil {
			return err
		}
		switch {
		case duress:
			// A duress check-in is no resumption: the timer re-arms (the
			// defender sees a normal check-in), but the alarm of a miss
			// stays open and gets the duress mark, or a duress alarm
			// opens.
			if err := s.putEvent(tx, Event{Hub: hub, Type: wire.EventCheckinDuress, Urgent: true, Submission: c.Instructions.String()}); err != nil {
				return err
			}
			if err := s.raiseAlarm(tx, hub, c.Instructions, AlarmDuress, MarkDuress); err != nil {
				return err
			}
		case c.State == CheckinMissed:
			if err := s.putEvent(tx, Event{Hub: hub, Type: wire.EventCheckinResumed, Urgent: true, Submission: c.Instructions.String()}); err != nil {
				return err
			}
			fallthrough
		default:
			// A normal check-in never closes an alarm; a responder does.
			if err := s.markAlarm(tx, hub, c.Instructions, MarkCheckedIn); err != nil {
				return err
			}
		}
		if c.State == CheckinMissed {
			if err := touch(tx, hub, c.Instructions); err != nil {
				return err
			}
		}
		c.State, c.Deadline = CheckinArmed, RoundUp(now.Add(c.Every), c.Round)
		return putCheckin(tx, c)
	})
	return c, err
}

// HasCheckin reports whether verifier is the check-in or duress code of a
// timer of hub, in a read-only transaction: the server looks before it
// counts a code against the guessing limit, so that a flood of wrong codes
// never takes the write lock nor refuses a defender's right one.
func (s *Store) HasCheckin(hub string, verifier [32]byte) (bool, error) {
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		_, _, err := lookupCode(tx, hub, verifier)
		if errors.Is(err, ErrNoCheckin) {
			return nil
		}
		ok = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: unable to look up a check-in code: %w", err)
	}
	return ok, nil
}

// StopCheckin ends the timer of the code with verifier and deletes its
// instructions. With the duress code it only raises checkin.duress and
// leaves the timer running; the caller answers both the same way.
func (s *Store) StopCheckin(hub string, verifier [32]byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		c, duress, err := lookupCode(tx, hub, verifier)
		if err != nil {
			return err
		}
		if duress {
			if err := s.putEvent(tx, Event{Hub: hub, Type: wire.EventCheckinDuress, Urgent: true, Submission: c.Instructions.String()}); err != nil {
				return err
			}
			return s.raiseAlarm(tx, hub, c.Instructions, AlarmDuress, MarkDuress)
		}
		if err := s.markAlarm(tx, hub, c.Instructions, MarkStopped); err != nil {
			return err
		}
		return deleteCheckin(tx, c)
	})
}

func deleteCheckin(tx *bolt.Tx, c Checkin) error {
	if err := tx.Bucket(bucketCheckins).Bucket([]byte(c.Hub)).Delete(c.ID[:]); err != nil {
		return err
	}
	if codes := tx.Bucket(bucketCheckinCodes).Bucket([]byte(c.Hub)); codes != nil {
		var dead [][]byte
		codes.ForEach(func(k, v []byte) error {
			var e codeEntry
			if json.Unmarshal(v, &e) == nil && e.Timer == c.ID.String() {
				dead = append(dead, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range dead {
			if err := codes.Delete(k); err != nil {
				return err
			}
		}
	}
	if sub, err := getSubmission(tx, c.Hub, c.Instructions); err == nil {
		if err := deleteRecord(tx, sub); err != nil {
			return err
		}
		if err := addUsage(tx, c.Hub, -sub.Size); err != nil {
			return err
		}
		return deleteChunks(tx, sub.Blob)
	}
	return nil
}

// FireDue marks missed every armed timer whose deadline plus grace is
// before now, raising an urgent checkin.missed event for each in the same
// transaction: a timer fires once, however often this runs and whether or
// not the server was down when the deadline passed.
func (s *Store) FireDue(now time.Time) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		n = 0
		return tx.Bucket(bucketCheckins).ForEachBucket(func(hub []byte) error {
			b := tx.Bucket(bucketCheckins).Bucket(hub)
			var due []Checkin
			err := b.ForEach(func(k, v []byte) error {
				c, err := decodeCheckin(string(hub), k, v)
				if err != nil {
					return err
				}
				if c.State == CheckinArmed && now.After(c.Deadline.Add(c.Grace)) {
					due = append(due, c)
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, c := range due {
				c.State = CheckinMissed
				if err := putCheckin(tx, c); err != nil {
					return err
				}
				if err := s.putEvent(tx, Event{Hub: c.Hub, Type: wire.EventCheckinMissed, Urgent: true, Submission: c.Instructions.String()}); err != nil {
					return err
				}
				if err := s.raiseAlarm(tx, c.Hub, c.Instructions, AlarmMissed, MarkMissed); err != nil {
					return err
				}
				if err := touch(tx, c.Hub, c.Instructions); err != nil {
					return err
				}
				n++
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to fire check-ins: %w", err)
	}
	return n, nil
}

// Checkins returns hub's timers, keyed by the id of their instructions.
func (s *Store) Checkins(hub string) (map[ID]Checkin, error) {
	list, err := hubEntries(s, bucketCheckins, hub, func(k, v []byte) (Checkin, error) {
		return decodeCheckin(hub, k, v)
	})
	out := make(map[ID]Checkin, len(list))
	for _, c := range list {
		out[c.Instructions] = c
	}
	return out, err
}

// NextDeadline returns the earliest time an armed timer can fire, or the
// zero time if none is armed.
func (s *Store) NextDeadline() (time.Time, error) {
	var next time.Time
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCheckins).ForEachBucket(func(hub []byte) error {
			return tx.Bucket(bucketCheckins).Bucket(hub).ForEach(func(k, v []byte) error {
				c, err := decodeCheckin(string(hub), k, v)
				if err != nil {
					return err
				}
				if at := c.Deadline.Add(c.Grace); c.State == CheckinArmed && (next.IsZero() || at.Before(next)) {
					next = at
				}
				return nil
			})
		})
	})
	return next, err
}

// RoundUp returns t rounded up to a multiple of d (t itself if d ≤ 0).
func RoundUp(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	r := t.Truncate(d)
	if r.Before(t) {
		r = r.Add(d)
	}
	return r
}
