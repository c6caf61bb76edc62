package store

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Retention. A hub may have closed submissions deleted once they are old
// enough (config delete_closed_after). The daemon lists candidates with
// [Store.Submissions] and deletes each with [Store.DeleteExpired], which
// checks again, inside its transaction, that the submission is still
// closed and old: a responder may have reopened it in between.

// StatusClosed is the triage status retention deletes (wire.StatusClosed).
const StatusClosed = "closed"

// DeleteExpired deletes hub's submission id and its chunks, like
// [Store.Delete], if it is closed and was received before cutoff, and
// records "retention.deleted" in the hub's audit log, all in one
// transaction. It reports whether it deleted the submission. The
// instructions of a check-in timer that still exists are kept: they go
// with the timer.
func (s *Store) DeleteExpired(hub string, id ID, cutoff time.Time) (bool, error) {
	deleted := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		sub, err := getSubmission(tx, hub, id)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if sub.Status != StatusClosed || !sub.Received.Before(cutoff) || isInstructions(tx, hub, id) {
			return nil
		}
		if err := deleteRecord(tx, sub); err != nil {
			return err
		}
		if err := deleteChunks(tx, sub.Blob); err != nil {
			return err
		}
		if err := addUsage(tx, hub, -sub.Size); err != nil {
			return err
		}
		deleted = true
		return s.audit(tx, hub, AuditEvent{Event: "retention.deleted", Submission: id.String()})
	})
	if err != nil {
		return false, fmt.Errorf("store: unable to delete expired %s: %w", id, err)
	}
	return deleted, nil
}

// isInstructions reports whether id holds the instructions of one of hub's
// check-in timers.
func isInstructions(tx *bolt.Tx, hub string, id ID) bool {
	b := tx.Bucket(bucketCheckins).Bucket([]byte(hub))
	if b == nil {
		return false
	}
	found := false
	b.ForEach(func(k, v []byte) error {
		if c, err := decodeCheckin(hub, k, v); err == nil && c.Instructions == id {
			found = true
		}
		return nil
	})
	return found
}
