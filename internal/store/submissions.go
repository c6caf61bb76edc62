package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Submission is everything the server knows about a submission besides its
// ciphertext. There is deliberately no field for anything that came with the
// request (address, user agent, headers) and no precise time.
type Submission struct {
	ID   ID     `json:"-"`
	Hub  string `json:"hub"`
	Kind string `json:"kind"`
	// Size is the length of the stored binary age file.
	Size int64 `json:"size"`
	// Received is the arrival time already rounded down by the caller
	// (to the hour by default).
	Received time.Time `json:"received"`
	Status   string    `json:"status"`
	// Recipients is the fingerprint of the recipient set the file was
	// addressed to.
	Recipients string `json:"recipients"`
	// Epoch is the manifest epoch the file was encrypted to.
	Epoch uint64 `json:"epoch"`
	// Blob names the chunks holding the ciphertext. It differs from ID so
	// that a re-encrypted replacement can be written beside the old
	// ciphertext and swapped in atomically.
	Blob   ID     `json:"-"`
	Chunks uint32 `json:"chunks"`
	// Thread is the id of the submission that opened the conversation this
	// one belongs to (itself for the first), or zero.
	Thread ID `json:"-"`
	// Seq is the message's place in its conversation, from 0.
	Seq uint32 `json:"seq,omitempty"`
	// Serial is the hub's count of submissions when this one arrived: the
	// order of arrival. Change is the number of the record's latest write,
	// its place in [Store.SubmissionsAfter] (changes.go).
	Serial uint64 `json:"serial,omitempty"`
	Change uint64 `json:"change,omitempty"`
}

// submissionRecord is a Submission as stored.
type submissionRecord struct {
	Submission
	Blob   string `json:"blob"`
	Thread string `json:"thread,omitempty"`
}

func hubBucket(tx *bolt.Tx, hub string) *bolt.Bucket {
	return tx.Bucket(bucketSubs).Bucket([]byte(hub))
}

// Submissions lists a hub's complete submissions, newest first, all in
// memory: for maintenance and tests. What answers clients pages with
// [Store.SubmissionsAfter].
func (s *Store) Submissions(hub string) ([]Submission, error) {
	var subs []Submission
	err := s.db.View(func(tx *bolt.Tx) error {
		b := hubBucket(tx, hub)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			sub, err := decodeSubmission(k, v)
			if err != nil {
				return err
			}
			subs = append(subs, sub)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to list submissions of %q: %w", hub, err)
	}
	sort.SliceStable(subs, func(i, j int) bool {
		if !subs[i].Received.Equal(subs[j].Received) {
			return subs[i].Received.After(subs[j].Received)
		}
		if subs[i].Serial != subs[j].Serial {
			return subs[i].Serial > subs[j].Serial
		}
		return bytes.Compare(subs[i].ID[:], subs[j].ID[:]) < 0
	})
	return subs, nil
}

// Submission returns one submission of hub.
func (s *Store) Submission(hub string, id ID) (Submission, error) {
	var sub Submission
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		sub, err = getSubmission(tx, hub, id)
		return err
	})
	return sub, err
}

func getSubmission(tx *bolt.Tx, hub string, id ID) (Submission, error) {
	b := hubBucket(tx, hub)
	if b == nil {
		return Submission{}, ErrNotFound
	}
	v := b.Get(id[:])
	if v == nil {
		return Submission{}, ErrNotFound
	}
	return decodeSubmission(id[:], v)
}

func decodeSubmission(k, v []byte) (Submission, error) {
	var rec submissionRecord
	if len(k) != IDSize {
		return rec.Submission, fmt.Errorf("store: corrupt submission key %x", k)
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return rec.Submission, fmt.Errorf("store: corrupt submission %x: %w", k, err)
	}
	sub := rec.Submission
	copy(sub.ID[:], k)
	blob, err := ParseID(rec.Blob)
	if err != nil {
		return sub, fmt.Errorf("store: corrupt submission %x: blob: %w", k, err)
	}
	sub.Blob = blob
	if rec.Thread != "" {
		if sub.Thread, err = ParseID(rec.Thread); err != nil {
			return sub, fmt.Errorf("store: corrupt submission %x: thread: %w", k, err)
		}
	}
	return sub, nil
}

// putSubmission writes sub's record and its index entries, giving it its
// next change number (changes.go).
func putSubmission(tx *bolt.Tx, sub *Submission) error {
	b, err := tx.Bucket(bucketSubs).CreateBucketIfNotExists([]byte(sub.Hub))
	if err != nil {
		return err
	}
	if err := indexChange(tx, sub); err != nil {
		return err
	}
	if err := indexThread(tx, *sub); err != nil {
		return err
	}
	sub.Received = sub.Received.UTC() // no server time zone on disk
	rec := submissionRecord{Submission: *sub, Blob: sub.Blob.String()}
	if sub.Thread != (ID{}) {
		rec.Thread = sub.Thread.String()
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return b.Put(sub.ID[:], v)
}

// SetStatus changes a submission's triage status.
func (s *Store) SetStatus(hub string, id ID, status string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		sub, err := getSubmission(tx, hub, id)
		if err != nil {
			return err
		}
		sub.Status = status
		return putSubmission(tx, &sub)
	})
	if err != nil {
		return fmt.Errorf("store: unable to set status of %s: %w", id, err)
	}
	return nil
}

// Delete removes a submission and all of its chunks in one transaction.
func (s *Store) Delete(hub string, id ID) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		sub, err := getSubmission(tx, hub, id)
		if err != nil {
			return err
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
		return s.audit(tx, hub, AuditEvent{Event: "submission.deleted", Submission: id.String()})
	})
	if err != nil {
		return fmt.Errorf("store: unable to delete %s: %w", id, err)
	}
	return nil
}
