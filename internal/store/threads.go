package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Threads. A conversation between a defender and a hub hangs off the
// submission that opened it. The defender holds a thread token derived from
// their codename; the store keeps only its verifier (a hash), mapped to the
// opening submission, in bucket threads/<hub>. Every other message of the
// conversation (follow-ups, replies) records the opening submission's id.

var (
	bucketThreads = []byte("threads")
	// bucketThreadSeq/<hub> counts each conversation's messages, so they
	// can be shown in order although arrival times are only hours.
	bucketThreadSeq = []byte("threadseq")
	// bucketThreadMsgs/<hub> indexes each conversation's messages: the
	// opening submission's id and the message's seq, big-endian, map to
	// the message's id; a conversation is read without the rest of the
	// hub's submissions.
	bucketThreadMsgs = []byte("threadmsgs")
	// bucketThreadRoots/<hub> maps an opening submission's id to its
	// conversation's verifier, which deleting the conversation removes.
	bucketThreadRoots = []byte("threadroots")
)

func threadMsgKey(root ID, seq uint32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), root[:]...), seq)
}

// indexThread records sub as a message of its conversation, if it has one.
func indexThread(tx *bolt.Tx, sub Submission) error {
	if sub.Thread == (ID{}) {
		return nil
	}
	b, err := tx.Bucket(bucketThreadMsgs).CreateBucketIfNotExists([]byte(sub.Hub))
	if err != nil {
		return err
	}
	return b.Put(threadMsgKey(sub.Thread, sub.Seq), sub.ID[:])
}

func unindexThread(tx *bolt.Tx, sub Submission) error {
	b := tx.Bucket(bucketThreadMsgs).Bucket([]byte(sub.Hub))
	if sub.Thread == (ID{}) || b == nil {
		return nil
	}
	return b.Delete(threadMsgKey(sub.Thread, sub.Seq))
}

// threadMessages returns the messages of the conversation opened by root,
// in order, from the index.
func threadMessages(tx *bolt.Tx, hub string, root ID) ([]Submission, error) {
	b := tx.Bucket(bucketThreadMsgs).Bucket([]byte(hub))
	if b == nil {
		return nil, nil
	}
	var out []Submission
	c := b.Cursor()
	for k, v := c.Seek(root[:]); k != nil && bytes.HasPrefix(k, root[:]); k, v = c.Next() {
		if len(v) != IDSize {
			return nil, fmt.Errorf("store: corrupt conversation entry %x", k)
		}
		sub, err := getSubmission(tx, hub, ID(v))
		if errors.Is(err, ErrNotFound) {
			continue // a stale entry (see Verify)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, nil
}

func nextInThread(tx *bolt.Tx, hub string, root ID) (uint32, error) {
	b, err := tx.Bucket(bucketThreadSeq).CreateBucketIfNotExists([]byte(hub))
	if err != nil {
		return 0, err
	}
	var n uint32
	if v := b.Get(root[:]); len(v) == 4 {
		n = binary.BigEndian.Uint32(v)
	}
	return n, b.Put(root[:], binary.BigEndian.AppendUint32(nil, n+1))
}

// Errors of threads.
var (
	ErrThreadExists = errors.New("store: a conversation with this codename already exists")
	ErrNoThread     = errors.New("store: no such conversation")
	// ErrThreadFull: the conversation holds [MaxThreadMessages] messages.
	ErrThreadFull = errors.New("store: the conversation is full")
)

// MaxThreadMessages is how many messages (the report, follow-ups and
// replies) one conversation may hold: it is listed in one answer, which
// stays small (about 160 KiB at most).
const MaxThreadMessages = 1000

// OpenThread makes the upload, when committed, the first message of a
// conversation whose token has the given verifier.
func (u *Upload) OpenThread(verifier [32]byte) { u.openThread = &verifier }

// JoinThread makes the upload, when committed, a message of the
// conversation opened by root. The commit fails with [ErrNoThread] if the
// conversation was deleted meanwhile.
func (u *Upload) JoinThread(root ID) { u.joinThread = &root }

func (u *Upload) threadStep(tx *bolt.Tx, sub *Submission) error {
	switch {
	case u.openThread != nil:
		b, err := tx.Bucket(bucketThreads).CreateBucketIfNotExists([]byte(u.hub))
		if err != nil {
			return err
		}
		if b.Get(u.openThread[:]) != nil {
			return ErrThreadExists
		}
		sub.Thread = u.id
		if sub.Seq, err = nextInThread(tx, u.hub, u.id); err != nil {
			return err
		}
		rb, err := tx.Bucket(bucketThreadRoots).CreateBucketIfNotExists([]byte(u.hub))
		if err != nil {
			return err
		}
		if err := rb.Put(u.id[:], u.openThread[:]); err != nil {
			return err
		}
		return b.Put(u.openThread[:], u.id[:])
	case u.joinThread != nil:
		root, err := getSubmission(tx, u.hub, *u.joinThread)
		if errors.Is(err, ErrNotFound) || (err == nil && root.Thread != root.ID) {
			return ErrNoThread
		}
		if err != nil {
			return err
		}
		sub.Thread = root.ID
		if sub.Seq, err = nextInThread(tx, u.hub, root.ID); err != nil {
			return err
		}
		if sub.Seq >= u.s.maxThread {
			return ErrThreadFull
		}
		return nil
	}
	return nil
}

// ThreadByVerifier returns the opening submission of the conversation whose
// token has verifier. Known and unknown verifiers cost the same: one
// lookup of a hashed key.
func (s *Store) ThreadByVerifier(hub string, verifier [32]byte) (ID, error) {
	var root ID
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketThreads).Bucket([]byte(hub))
		var v []byte
		if b != nil {
			v = b.Get(verifier[:])
		}
		if len(v) != IDSize {
			return ErrNoThread
		}
		copy(root[:], v)
		return nil
	})
	return root, err
}

// Thread returns the messages of the conversation opened by root, in the
// order they arrived.
func (s *Store) Thread(hub string, root ID) ([]Submission, error) {
	var out []Submission
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		out, err = threadMessages(tx, hub, root)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to read conversation %s: %w", root, err)
	}
	if len(out) == 0 {
		return nil, ErrNoThread
	}
	return out, nil
}

// DeleteThread removes every message of the conversation opened by root,
// their ciphertext and the token verifier, in one transaction.
func (s *Store) DeleteThread(hub string, root ID) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := hubBucket(tx, hub)
		if b == nil {
			return ErrNoThread
		}
		doomed, err := threadMessages(tx, hub, root)
		if err != nil {
			return err
		}
		if len(doomed) == 0 {
			return ErrNoThread
		}
		for _, sub := range doomed {
			if err := deleteRecord(tx, sub); err != nil {
				return err
			}
			if err := deleteChunks(tx, sub.Blob); err != nil {
				return err
			}
			if err := addUsage(tx, hub, -sub.Size); err != nil {
				return err
			}
		}
		if err := deleteVerifier(tx, hub, root); err != nil {
			return err
		}
		if sb := tx.Bucket(bucketThreadSeq).Bucket([]byte(hub)); sb != nil {
			if err := sb.Delete(root[:]); err != nil {
				return err
			}
		}
		n = len(doomed)
		return s.audit(tx, hub, AuditEvent{Event: "thread.deleted", Submission: root.String()})
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to delete conversation %s: %w", root, err)
	}
	return n, nil
}

// deleteVerifier removes the verifier of the conversation opened by root:
// found through bucketThreadRoots, or, for a conversation opened before
// that index, by reading every verifier of the hub.
func deleteVerifier(tx *bolt.Tx, hub string, root ID) error {
	tb := tx.Bucket(bucketThreads).Bucket([]byte(hub))
	if tb == nil {
		return nil
	}
	if rb := tx.Bucket(bucketThreadRoots).Bucket([]byte(hub)); rb != nil {
		if v := rb.Get(root[:]); v != nil {
			if err := tb.Delete(append([]byte(nil), v...)); err != nil {
				return err
			}
			return rb.Delete(root[:])
		}
	}
	var keys [][]byte
	tb.ForEach(func(k, v []byte) error {
		if bytes.Equal(v, root[:]) {
			keys = append(keys, append([]byte(nil), k...))
		}
		return nil
	})
	for _, k := range keys {
		if err := tb.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
