package store

import (
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"
)

// OpenSubmission returns a reader over a submission's ciphertext. Each chunk is copied
// out in its own short read transaction, so a slow download never holds a
// transaction open (which would stall bbolt's file growth for writers).
func (s *Store) OpenSubmission(hub string, id ID) (Submission, io.Reader, error) {
	sub, err := s.Submission(hub, id)
	if err != nil {
		return sub, nil, err
	}
	return sub, &chunkReader{s: s, sub: sub}, nil
}

type chunkReader struct {
	s   *Store
	sub Submission
	seq uint32
	buf []byte
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.seq >= r.sub.Chunks {
			return 0, io.EOF
		}
		err := r.s.db.View(func(tx *bolt.Tx) error {
			if !getSubmissionExists(tx, r.sub) {
				return ErrNotFound
			}
			v := tx.Bucket(bucketChunks).Get(chunkKey(r.sub.ID, r.seq))
			if v == nil {
				return fmt.Errorf("store: chunk %d of %s missing", r.seq, r.sub.ID)
			}
			r.buf = append(r.buf[:0], v...)
			return nil
		})
		if err != nil {
			return 0, err
		}
		r.seq++
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func getSubmissionExists(tx *bolt.Tx, sub Submission) bool {
	b := hubBucket(tx, sub.Hub)
	return b != nil && b.Get(sub.ID[:]) != nil
}
