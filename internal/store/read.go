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
			if !sameBlob(tx, r.sub) {
				return ErrNotFound
			}
			v := getChunk(tx, r.sub.Blob, r.seq)
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

// sameBlob reports whether sub still exists with the same ciphertext: a
// download stops rather than mix chunks of two encryptions.
func sameBlob(tx *bolt.Tx, sub Submission) bool {
	cur, err := getSubmission(tx, sub.Hub, sub.ID)
	return err == nil && cur.Blob == sub.Blob
}
