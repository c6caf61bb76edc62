package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// The change index. Every write of a submission's record (its arrival, a
// status change, a re-encryption, a write of its case record) takes the hub's next change number, and
// changes/<hub> maps that number to the submission's id; the entry of the
// record's previous change is removed in the same transaction. So every
// submission has exactly one entry, and a listing in change order
// ([Store.SubmissionsAfter]) is a stable order that pages well: it resumes
// after any number it stopped at, sees each submission once, and one that
// changes while a client pages is listed again further on, never skipped.
// The same listing from a client's last number is what changed since.
//
// A submission's Serial is the change number of its arrival and never
// changes: the order in which the hub received submissions, finer than
// their hour and saying nothing more about when.

var bucketChanges = []byte("changes")

// MaxPage is the most submissions one [Store.SubmissionsAfter] returns.
const MaxPage = 1000

// ErrCursorAhead is returned for a change number the hub has not reached:
// a cursor from another hub, another database (a restored backup) or made
// up.
var ErrCursorAhead = errors.New("store: cursor beyond the hub's latest change")

func changeKey(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// indexChange gives sub its next change number (and its serial, on
// arrival) and moves its index entry there.
func indexChange(tx *bolt.Tx, sub *Submission) error {
	b, err := tx.Bucket(bucketChanges).CreateBucketIfNotExists([]byte(sub.Hub))
	if err != nil {
		return err
	}
	if sub.Change != 0 {
		if err := b.Delete(changeKey(sub.Change)); err != nil {
			return err
		}
	}
	n, err := b.NextSequence()
	if err != nil {
		return err
	}
	sub.Change = n
	if sub.Serial == 0 {
		sub.Serial = n
	}
	return b.Put(changeKey(n), sub.ID[:])
}

// touch gives submission id of hub a new change number, for a change the
// listing shows but its record does not hold (the state of the check-in
// whose instructions it is), so that what changed since a cursor has it.
func touch(tx *bolt.Tx, hub string, id ID) error {
	sub, err := getSubmission(tx, hub, id)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return putSubmission(tx, &sub)
}

// deleteRecord removes sub's record and its index entries (the chunks,
// usage and audit are the caller's).
func deleteRecord(tx *bolt.Tx, sub Submission) error {
	if err := hubBucket(tx, sub.Hub).Delete(sub.ID[:]); err != nil {
		return err
	}
	if b := tx.Bucket(bucketChanges).Bucket([]byte(sub.Hub)); b != nil && sub.Change != 0 {
		if err := b.Delete(changeKey(sub.Change)); err != nil {
			return err
		}
	}
	if err := deleteCase(tx, sub); err != nil {
		return err
	}
	return unindexThread(tx, sub)
}

// Page is one page of a hub's submissions in change order.
type Page struct {
	Submissions []Submission
	// Next is the change number to resume after: the last one listed, or
	// the cursor given when nothing followed it.
	Next uint64
	// More reports whether submissions follow Next.
	More bool
	// Checkins holds the state of the timer whose instructions a listed
	// submission is (kind checkin), by the submission's id.
	Checkins map[ID]string
	// Cases holds the version of a listed submission's case record, by
	// the submission's id, for those that have one.
	Cases map[ID]uint64
	// CaseEpochs holds the epoch each of those records was written to.
	CaseEpochs map[ID]uint64
}

// SubmissionsAfter lists up to limit (at most [MaxPage]) of hub's
// submissions whose latest change is after the change number after (0
// for the start), in change order, in one read transaction.
func (s *Store) SubmissionsAfter(hub string, after uint64, limit int) (Page, error) {
	p := Page{Next: after}
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		idx := tx.Bucket(bucketChanges).Bucket([]byte(hub))
		if idx == nil {
			if after != 0 {
				return ErrCursorAhead
			}
			return nil
		}
		if after > idx.Sequence() {
			return ErrCursorAhead
		}
		c := idx.Cursor()
		k, v := c.Seek(changeKey(after + 1))
		for ; k != nil; k, v = c.Next() {
			if len(p.Submissions) == limit {
				p.More = true
				return p.annotate(tx, hub)
			}
			if len(k) != 8 || len(v) != IDSize {
				return fmt.Errorf("store: corrupt change entry %x", k)
			}
			n := binary.BigEndian.Uint64(k)
			sub, err := getSubmission(tx, hub, ID(v))
			if errors.Is(err, ErrNotFound) || (err == nil && sub.Change != n) {
				p.Next = n // a stale entry (see Verify); skip it
				continue
			}
			if err != nil {
				return err
			}
			p.Submissions = append(p.Submissions, sub)
			p.Next = n
		}
		return p.annotate(tx, hub)
	})

	if err != nil {
		return Page{}, fmt.Errorf("store: unable to list submissions of %q: %w", hub, err)
	}
	return p, nil
}

// annotate fills what the page's listing shows beside the records.
func (p *Page) annotate(tx *bolt.Tx, hub string) error {
	if err := p.checkins(tx, hub); err != nil {
		return err
	}
	return p.caseVersions(tx, hub) // cases.go
}

// checkins fills p.Checkins for the page's check-in instructions.
func (p *Page) checkins(tx *bolt.Tx, hub string) error {
	want := make(map[ID]bool, len(p.Submissions))
	for _, sub := range p.Submissions {
		want[sub.ID] = true
	}
	b := tx.Bucket(bucketCheckins).Bucket([]byte(hub))
	if len(want) == 0 || b == nil {
		return nil
	}
	p.Checkins = map[ID]string{}
	return b.ForEach(func(k, v []byte) error {
		c, err := decodeCheckin(hub, k, v)
		if err != nil {
			return err
		}
		if want[c.Instructions] {
			p.Checkins[c.Instructions] = c.State
		}
		return nil
	})
}

// indexOld gives the records of hub written before the change index (by
// an older difesad) their serials and change numbers, in order of arrival
// (hour, then id), and indexes their conversations and verifiers.
func indexOld(tx *bolt.Tx, hub []byte) error {
	b := tx.Bucket(bucketSubs).Bucket(hub)
	var old []Submission
	err := b.ForEach(func(k, v []byte) error {
		sub, err := decodeSubmission(k, v)
		if err != nil {
			return err
		}
		old = append(old, sub)
		return nil
	})
	if err != nil {
		return err
	}
	sort.Slice(old, func(i, j int) bool {
		if !old[i].Received.Equal(old[j].Received) {
			return old[i].Received.Before(old[j].Received)
		}
		return bytes.Compare(old[i].ID[:], old[j].ID[:]) < 0
	})
	if _, err := tx.Bucket(bucketChanges).CreateBucketIfNotExists(hub); err != nil {
		return err
	}
	for i := range old {
		old[i].Serial, old[i].Change = 0, 0
		if err := putSubmission(tx, &old[i]); err != nil {
			return err
		}
	}
	// Conversations' verifiers by opening submission (threads.go).
	tb := tx.Bucket(bucketThreads).Bucket(hub)
	if tb == nil {
		return nil
	}
	rb, err := tx.Bucket(bucketThreadRoots).CreateBucketIfNotExists(hub)
	if err != nil {
		return err
	}
	return tb.ForEach(func(k, v []byte) error {
		if len(v) != IDSize {
			return nil // reported by ThreadByVerifier as no conversation
		}
		return rb.Put(append([]byte(nil), v...), append([]byte(nil), k...))
	})
}

// indexAll runs [indexOld] for every hub, at [Open].
func (s *Store) indexAll() error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		var hubs [][]byte
		err := tx.Bucket(bucketSubs).ForEachBucket(func(hub []byte) error {
			if tx.Bucket(bucketChanges).Bucket(hub) == nil {
				hubs = append(hubs, append([]byte(nil), hub...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, hub := range hubs {
			if err := indexOld(tx, hub); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to index submissions: %w", err)
	}
	return nil
}

// verifyIndexes checks that every submission has exactly its change entry
// and its conversation entry, and that no entry points elsewhere.
func verifyIndexes(tx *bolt.Tx) []error {
	var errs []error
	subs := tx.Bucket(bucketSubs)
	subs.ForEachBucket(func(hub []byte) error {
		changes := tx.Bucket(bucketChanges).Bucket(hub)
		if changes == nil {
			return nil // written by an older difesad: indexed at the next start (indexAll)
		}
		msgs := tx.Bucket(bucketThreadMsgs).Bucket(hub)
		entries := 0
		subs.Bucket(hub).ForEach(func(k, v []byte) error {
			sub, err := decodeSubmission(k, v)
			if err != nil {
				return nil // reported by Verify
			}
			entries++
			if !bytes.Equal(changes.Get(changeKey(sub.Change)), sub.ID[:]) {
				errs = append(errs, fmt.Errorf("submission %s: not in the change index at %d", sub.ID, sub.Change))
			}
			if sub.Thread != (ID{}) && (msgs == nil || !bytes.Equal(msgs.Get(threadMsgKey(sub.Thread, sub.Seq)), sub.ID[:])) {
				errs = append(errs, fmt.Errorf("submission %s: not in the index of conversation %s", sub.ID, sub.Thread))
			}
			return nil
		})
		if n := changes.Stats().KeyN; n != entries {
			errs = append(errs, fmt.Errorf("hub %q: %d change entries for %d submissions", hub, n, entries))
		}
		return nil
	})
	return errs
}

// EachSubmission calls fn with every submission of hub, a page at a time
// ([Store.SubmissionsAfter]): memory holds one page, however large the
// hub, and fn runs outside any transaction, so it may change the store
// (a submission it changes comes again, later). It stops at fn's first
// error.
func (s *Store) EachSubmission(hub string, fn func(Submission) error) error {
	var after uint64
	for {
		p, err := s.SubmissionsAfter(hub, after, MaxPage)
		if err != nil {
			return err
		}
		for _, sub := range p.Submissions {
			if err := fn(sub); err != nil {
				return err
			}
		}
		if !p.More {
			return nil
		}
		after = p.Next
	}
}
