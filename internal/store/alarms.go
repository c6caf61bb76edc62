package store

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"difesa.org/difesa/internal/wire"
)

// Alarms are what must not be lost: a missed check-in, a duress check-in,
// an urgent alert. Each is a record that stays open until a responder
// acknowledges it, opened in the same transaction as the event that
// causes it (the timer firing, the check-in, the upload's commit), so that
// a crash can never keep one without the other. Like everything else about
// defenders here, an alarm holds hours, never a precise time.
//
// alarms/<hub>: alarm id → Alarm.
var bucketAlarms = []byte("alarms")

// Alarm kinds. A check-in timer has at most one open alarm: a duress
// check-in after a miss turns it into a duress alarm and adds the mark,
// so both marks stay.
const (
	AlarmMissed = "missed"
	AlarmDuress = "duress"
	AlarmAlert  = "alert"
)

// Alarm states.
const (
	AlarmOpen         = "open"
	AlarmAcknowledged = "acknowledged"
)

// Alarm marks: what happened to an alarm's timer while it was open.
const (
	MarkMissed    = "missed"
	MarkDuress    = "duress"
	MarkCheckedIn = "checked_in" // a normal check-in, after the alarm opened
	MarkStopped   = "stopped"    // the timer was stopped with its code
	MarkAlert     = "alert"
)

// MaxAlarmMarks bounds an alarm's history: a defender checking in every
// minute must not grow the record without end. The first mark is kept,
// the oldest of the others make room; a mark repeating the last one only
// moves its hour.
const MaxAlarmMarks = 8

// MaxAlarmNote is the largest acknowledgement note, in bytes of age
// file (the API checks the payload's own, smaller, limit).
const MaxAlarmNote = 80 << 10

// MaxAlarmPage is the most alarms [Store.AlarmsAfter] returns at once:
// each may carry a note.
const MaxAlarmPage = 50

// ErrNoAlarm is returned for an unknown alarm id.
var ErrNoAlarm = errors.New("store: no such alarm")

// Alarm is one alarm of a hub.
type Alarm struct {
	ID  ID     `json:"-"`
	Hub string `json:"-"`
	// Seq orders a hub's alarms as they opened (1, 2, …).
	Seq  uint64 `json:"seq"`
	Kind string `json:"kind"`
	// Submission is the check-in's instructions or the alert.
	Submission ID        `json:"-"`
	SubText    string    `json:"submission"`
	Opened     time.Time `json:"opened"` // the hour
	State      string    `json:"state"`
	Marks      []Mark    `json:"marks"`
	// Acknowledged is the hour of the acknowledgement, By the label (or,
	// without one, the key) of the responder who gave it, Note an age
	// ciphertext to the hub's recipients, or empty.
	Acknowledged time.Time `json:"acknowledged,omitzero"`
	By           string    `json:"by,omitempty"`
	Note         []byte    `json:"note,omitempty"`
	// Escalated is how many escalation steps have fired (escalations.go).
	Escalated int `json:"escalated,omitempty"`
}

// Mark is one entry of an alarm's history, with its hour.
type Mark struct {
	Mark string    `json:"mark"`
	Hour time.Time `json:"hour"`
}

func (a *Alarm) mark(m string, hour time.Time) {
	if n := len(a.Marks); n > 1 && a.Marks[n-1].Mark == m {
		a.Marks[n-1].Hour = hour
		return
	}
	a.Marks = append(a.Marks, Mark{Mark: m, Hour: hour})
	if len(a.Marks) > MaxAlarmMarks {
		a.Marks = slices.Delete(a.Marks, 1, 2)
	}
}

func alarmBucket(tx *bolt.Tx, hub string) (*bolt.Bucket, error) {
	return tx.Bucket(bucketAlarms).CreateBucketIfNotExists([]byte(hub))
}

func putAlarm(tx *bolt.Tx, a *Alarm) error {
	b, err := alarmBucket(tx, a.Hub)
	if err != nil {
		return err
	}
	a.SubText = a.Submission.String()
	v, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return b.Put(a.ID[:], v)
}

func decodeAlarm(hub string, k, v []byte) (Alarm, error) {
	var a Alarm
	if len(k) != IDSize {
		return a, fmt.Errorf("corrupt alarm key %x", k)
	}
	if err := json.Unmarshal(v, &a); err != nil {
		return a, fmt.Errorf("corrupt alarm %x: %w", k, err)
	}
	copy(a.ID[:], k)
	a.Hub = hub
	id, err := ParseID(a.SubText)
	if err != nil {
		return a, fmt.Errorf("corrupt alarm %x: %w", k, err)
	}
	a.Submission = id
	return a, nil
}

// openAlarmOf returns the open alarm of submission sub of hub, if any.
func openAlarmOf(tx *bolt.Tx, hub string, sub ID) (*Alarm, error) {
	b := tx.Bucket(bucketAlarms).Bucket([]byte(hub))
	if b == nil {
		return nil, nil
	}
	var found *Alarm
	err := b.ForEach(func(k, v []byte) error {
		a, err := decodeAlarm(hub, k, v)
		if err != nil {
			return err
		}
		if a.State == AlarmOpen && a.Submission == sub {
			found = &a
		}
		return nil
	})
	return found, err
}

// raiseAlarm opens an alarm of kind for submission sub of hub inside tx,
// or, if the submission already has an open one, adds the mark to it (a
// duress then makes it a duress alarm: the more serious kind shows).
func (s *Store) raiseAlarm(tx *bolt.Tx, hub string, sub ID, kind, mark string) error {
	a, err := openAlarmOf(tx, hub, sub)
	if err != nil {
		return err
	}
	if a == nil {
		b, err := alarmBucket(tx, hub)
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		a = &Alarm{ID: NewID(), Hub: hub, Seq: seq, Kind: kind, Submission: sub, Opened: s.hour(), State: AlarmOpen}
	} else if kind == AlarmDuress {
		a.Kind = AlarmDuress
	}
	a.mark(mark, s.hour())
	return putAlarm(tx, a)
}

// markAlarm adds mark to the open alarm of submission sub of hub, if it
// has one; it never closes the alarm.
func (s *Store) markAlarm(tx *bolt.Tx, hub string, sub ID, mark string) error {
	a, err := openAlarmOf(tx, hub, sub)
	if err != nil || a == nil {
		return err
	}
	a.mark(mark, s.hour())
	return putAlarm(tx, a)
}

// Alarms returns hub's alarms, open ones first, then newest first.
func (s *Store) Alarms(hub string) ([]Alarm, error) {
	list, err := hubEntries(s, bucketAlarms, hub, func(k, v []byte) (Alarm, error) {
		return decodeAlarm(hub, k, v)
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the alarms of %q: %w", hub, err)
	}
	slices.SortFunc(list, compareAlarms)
	return list, nil
}

// compareAlarms orders open alarms first, then newest first.
func compareAlarms(a, b Alarm) int {
	if c := cmp.Compare(alarmRank(a.State), alarmRank(b.State)); c != 0 {
		return c
	}
	return cmp.Compare(b.Seq, a.Seq)
}

func alarmRank(state string) int {
	if state == AlarmOpen {
		return 0
	}
	return 1
}

// AlarmCursor is a position in the order of [Store.Alarms].
type AlarmCursor struct {
	Rank int
	Seq  uint64
}

// After reports whether a comes after cursor c in listing order.
func (c AlarmCursor) After(a Alarm) bool {
	if r := alarmRank(a.State); r != c.Rank {
		return r > c.Rank
	}
	return a.Seq < c.Seq
}

// AlarmsAfter returns up to limit (at most [MaxAlarmPage]) of hub's alarms
// after cursor (nil for the start) in the order of [Store.Alarms], the
// cursor to resume after and whether more follow. An alarm acknowledged
// while a client pages moves to the acknowledged part and may be listed
// twice; none is skipped that was open when the listing began.
func (s *Store) AlarmsAfter(hub string, after *AlarmCursor, limit int) (page []Alarm, next AlarmCursor, more bool, err error) {
	if limit <= 0 || limit > MaxAlarmPage {
		limit = MaxAlarmPage
	}
	all, err := s.Alarms(hub)
	if err != nil {
		return nil, AlarmCursor{}, false, err
	}
	if after != nil {
		next = *after
	}
	for _, a := range all {
		if after != nil && !after.After(a) {
			continue
		}
		if len(page) == limit {
			return page, next, true, nil
		}
		page = append(page, a)
		next = AlarmCursor{Rank: alarmRank(a.State), Seq: a.Seq}
	}
	return page, next, false, nil
}

// Alarm returns one alarm of hub.
func (s *Store) Alarm(hub string, id ID) (Alarm, error) {
	var a Alarm
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		a, err = getAlarm(tx, hub, id)
		return err
	})
	return a, err
}

func getAlarm(tx *bolt.Tx, hub string, id ID) (Alarm, error) {
	var v []byte
	if t := tx.Bucket(bucketAlarms); t != nil {
		if b := t.Bucket([]byte(hub)); b != nil {
			v = b.Get(id[:])
		}
	}
	if v == nil {
		return Alarm{}, ErrNoAlarm
	}
	return decodeAlarm(hub, id[:], v)
}

// Acknowledge closes alarm id of hub for the responder by (a label), with
// an optional note (an age file, at most [MaxAlarmNote] bytes), and
// writes it to the hub's audit log (the hour and the label, never the
// note), in one transaction. Its pending escalations end with it.
// Acknowledging an acknowledged alarm changes nothing and returns it as
// it is (first reported true only the first time).
func (s *Store) Acknowledge(hub string, id ID, by string, note []byte) (a Alarm, first bool, err error) {
	if len(note) > MaxAlarmNote {
		return Alarm{}, false, fmt.Errorf("store: acknowledgement note over %d bytes", MaxAlarmNote)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		var err error
		if a, err = getAlarm(tx, hub, id); err != nil {
			return err
		}
		if a.State != AlarmOpen {
			return nil
		}
		first = true
		a.State, a.Acknowledged, a.By = AlarmAcknowledged, s.hour(), by
		a.Note = append([]byte(nil), note...)
		if err := putAlarm(tx, &a); err != nil {
			return err
		}
		return s.audit(tx, hub, AuditEvent{Event: wire.EventAlarmAcknowledged, Alarm: a.ID.String(), By: by})
	})
	if errors.Is(err, ErrNoAlarm) {
		return Alarm{}, false, err
	}
	if err != nil {
		return Alarm{}, false, fmt.Errorf("store: unable to acknowledge alarm %s: %w", id, err)
	}
	return a, first, nil
}

// OpenAlarm makes the upload's commit open an alarm of kind (an urgent
// alert: [AlarmAlert]) for the submission, in the same transaction.
func (u *Upload) OpenAlarm(kind string) { u.alarm = kind }
