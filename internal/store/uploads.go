package store

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// ChunkSize is how many bytes of ciphertext an [Upload] keeps in memory
// before writing them as one chunk. It bounds memory per upload.
const ChunkSize = 1 << 20

// Upload receives one submission's ciphertext as a sequence of chunks.
// Nothing of it is visible until [Upload.Commit] returns; until then its
// chunks are marked pending and [Open] deletes them after a crash.
type Upload struct {
	s       *Store
	id      ID
	blob    ID
	hub     string
	seq     uint32
	size    int64
	pending bool
	done    bool
	// replaces is set when the upload re-encrypts an existing submission.
	replaces bool
	// openThread or joinThread make the submission the start of a
	// conversation, or a message in one (see threads.go).
	openThread *[32]byte
	joinThread *ID
	// events go to the outbox in the commit's transaction (outbox.go).
	events []Event
	// checkin arms a timer whose instructions this upload holds.
	checkin *Checkin
	// alarm, if set, is the kind of alarm the commit opens (alarms.go).
	alarm string
	// limit is the hub's quota of stored bytes, or 0 (usage.go).
	limit int64
}

// ErrAlreadyCurrent is returned when a replacement would not move a
// submission to a newer epoch, nor to other recipients at its epoch.
var ErrAlreadyCurrent = errors.New("store: submission already at that epoch or later")

// NewUpload starts an upload for hub under a fresh random id.
func (s *Store) NewUpload(hub string) *Upload {
	return &Upload{s: s, id: NewID(), blob: NewID(), hub: hub}
}

// NewReplacement starts an upload of new ciphertext for the existing
// submission id of hub (a re-encryption to a newer epoch). The old
// ciphertext stays until [Upload.Commit] swaps the new one in.
func (s *Store) NewReplacement(hub string, id ID) *Upload {
	return &Upload{s: s, id: id, blob: NewID(), hub: hub, replaces: true}
}

// ID is the id the submission will have once committed.
func (u *Upload) ID() ID { return u.id }

// WriteChunk durably stores one chunk (not the last one). The first call
// also writes the pending marker, in the same transaction.
func (u *Upload) WriteChunk(p []byte) error {
	if u.done {
		return errors.New("store: upload already finished")
	}
	seq := u.seq
	err := u.s.db.Batch(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketPending).Put(u.blob[:], []byte(u.hub)); err != nil {
			return err
		}
		return putChunk(tx, u.blob, seq, p)
	})
	if err != nil {
		return fmt.Errorf("store: unable to write chunk %d of %s: %w", seq, u.id, err)
	}
	u.pending = true
	u.seq++
	u.size += int64(len(p))
	return nil
}

// Commit writes the last chunk and the submission's record and clears the
// pending marker, all in one fsync'd transaction. sub's ID, Hub, Size and
// Chunks are filled in from the upload. For a replacement, sub gives the new
// Epoch and Recipients; the old ciphertext is deleted in the same
// transaction, and the swap is written to the hub's audit log.
func (u *Upload) Commit(last []byte, sub Submission) (Submission, error) {
	if u.done {
		return Submission{}, errors.New("store: upload already finished")
	}
	sub.ID, sub.Hub, sub.Blob = u.id, u.hub, u.blob
	sub.Size = u.size + int64(len(last))
	sub.Chunks = u.seq + 1
	seq := u.seq
	fresh := sub
	err := u.s.db.Batch(func(tx *bolt.Tx) error {
		sub = fresh // Batch may run this function more than once
		delta := sub.Size
		if !u.replaces {
			if err := checkQuota(tx, u.hub, sub.Size, u.limit); err != nil {
				return err
			}
		} else {
			old, err := getSubmission(tx, u.hub, u.id)
			if err != nil {
				return err
			}
			// A replacement moves the file to a newer epoch, or, within an
			// epoch, to other recipients (a restricted case's, or the whole
			// hub's again when a restriction is lifted).
			if old.Epoch > sub.Epoch || old.Epoch == sub.Epoch && old.Recipients == sub.Recipients {
				return ErrAlreadyCurrent
			}
			if err := deleteChunks(tx, old.Blob); err != nil {
				return err
			}
			sub.Kind, sub.Received, sub.Status, sub.Thread, sub.Seq = old.Kind, old.Received, old.Status, old.Thread, old.Seq
			sub.Serial, sub.Change = old.Serial, old.Change
			delta -= old.Size
			if err := u.s.audit(tx, u.hub, AuditEvent{Event: "submission.rekeyed", Epoch: sub.Epoch, Submission: u.id.String()}); err != nil {
				return err
			}
		}
		if err := u.threadStep(tx, &sub); err != nil {
			return err
		}
		if err := u.armStep(tx); err != nil {
			return err
		}
		if err := putChunk(tx, u.blob, seq, last); err != nil {
			return err
		}
		if err := putSubmission(tx, &sub); err != nil {
			return err
		}
		if err := addUsage(tx, u.hub, delta); err != nil {
			return err
		}
		for _, ev := range u.events {
			ev.Hub = u.hub
			if ev.Submission == "" {
				ev.Submission = u.id.String()
			}
			if err := u.s.putEvent(tx, ev); err != nil {
				return err
			}
		}
		if u.alarm != "" && !u.replaces {
			if err := u.s.raiseAlarm(tx, u.hub, u.id, u.alarm, u.alarm); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketPending).Delete(u.blob[:])
	})
	if err != nil {
		return Submission{}, fmt.Errorf("store: unable to commit %s: %w", u.id, err)
	}
	u.done = true
	return sub, nil
}

// Abort deletes whatever the upload wrote. It is safe to call after Commit
// (it then does nothing) and more than once.
func (u *Upload) Abort() error {
	if u.done || !u.pending {
		u.done = true
		return nil
	}
	u.done = true
	err := u.s.db.Update(func(tx *bolt.Tx) error {
		if err := deleteChunks(tx, u.blob); err != nil {
			return err
		}
		return tx.Bucket(bucketPending).Delete(u.blob[:])
	})
	if err != nil {
		return fmt.Errorf("store: unable to abort upload %s: %w", u.id, err)
	}
	return nil
}

// reclaimPending deletes the chunks of every upload that never committed.
func (s *Store) reclaimPending() (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		p := tx.Bucket(bucketPending)
		var ids []ID
		if err := p.ForEach(func(k, _ []byte) error {
			var id ID
			copy(id[:], k)
			ids = append(ids, id)
			return nil
		}); err != nil {
			return err
		}
		for _, id := range ids {
			if err := deleteChunks(tx, id); err != nil {
				return err
			}
			if err := p.Delete(id[:]); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to reclaim unfinished uploads: %w", err)
	}
	return n, nil
}
