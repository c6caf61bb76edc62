package store

import (
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"difesa.org/difesa/internal/wire"
)

// Escalations: an alarm nobody acknowledges is notified again, step by
// step (internal/checkin decides when). The step reached is kept in the
// alarm record, and the outbox event of step N, with the stable id
// [EscalationEventID], is written in the same transaction that advances
// the step: a crash can neither lose a step nor send one twice, and an
// acknowledgement (which closes the alarm in its own transaction) stops
// the steps that follow. When each step is due is never stored: it would
// date the alarm, so the defender's check-in, to the minute.

// EscalationEventID is the outbox event id of step step of alarm id: the
// same on every attempt, across restarts.
func EscalationEventID(id ID, step int) string {
	return id.String() + "-e" + strconv.Itoa(step)
}

// Escalate advances open alarm id of hub to step step and queues its
// urgent, content-free notification ([wire.EventAlarmEscalated]: the hub
// and nothing else), in one transaction. It does nothing
// and reports false unless the alarm is still open and at step-1, so a
// step fires once whoever asks and however often.
func (s *Store) Escalate(hub string, id ID, step int) (bool, error) {
	fired := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		a, err := getAlarm(tx, hub, id)
		if err != nil {
			return err
		}
		if a.State != AlarmOpen || a.Escalated != step-1 {
			return nil
		}
		a.Escalated = step
		if err := putAlarm(tx, &a); err != nil {
			return err
		}
		fired = true
		return s.putEvent(tx, Event{ID: EscalationEventID(id, step), Hub: hub, Type: wire.EventAlarmEscalated, Urgent: true})
	})
	if err != nil {
		return false, fmt.Errorf("store: unable to escalate alarm %s: %w", id, err)
	}
	return fired, nil
}

// OpenAlarms returns the open alarms of every hub.
func (s *Store) OpenAlarms() ([]Alarm, error) {
	var out []Alarm
	err := s.db.View(func(tx *bolt.Tx) error {
		t := tx.Bucket(bucketAlarms)
		if t == nil { // a file older than alarms, opened read-only
			return nil
		}
		return t.ForEachBucket(func(hub []byte) error {
			return t.Bucket(hub).ForEach(func(k, v []byte) error {
				a, err := decodeAlarm(string(hub), k, v)
				if err != nil {
					return err
				}
				if a.State == AlarmOpen {
					out = append(out, a)
				}
				return nil
			})
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the open alarms: %w", err)
	}
	return out, nil
}
