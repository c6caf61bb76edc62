package store

import (
	"bytes"
	"io"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// commitTestSubmission stores a submission of size bytes in whole chunks
// and a last partial (possibly empty) one.
func commitTestSubmission(t *testing.T, s *Store, hub string, size int) Submission {
	t.Helper()
	data := bytes.Repeat([]byte{0xa5}, size)
	up := s.NewUpload(hub)
	for len(data) >= ChunkSize {
		if err := up.WriteChunk(data[:ChunkSize]); err != nil {
			t.Fatal(err)
		}
		data = data[ChunkSize:]
	}
	sub, err := up.Commit(data, Submission{Kind: "report", Status: "new", Received: time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func TestVerify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		damage  func(tx *bolt.Tx, sub Submission) error
		wantErr bool
	}{
		{"intact", nil, false},
		{"pending upload", func(tx *bolt.Tx, _ Submission) error {
			id := NewID()
			if err := tx.Bucket(bucketPending).Put(id[:], []byte("hub1")); err != nil {
				return err
			}
			return putChunk(tx, id, 0, []byte("x"))
		}, false},
		{"orphan chunk", func(tx *bolt.Tx, _ Submission) error {
			return putChunk(tx, NewID(), 0, []byte("x"))
		}, true},
		{"missing chunk", func(tx *bolt.Tx, sub Submission) error {
			return tx.Bucket(bucketChunks).DeleteBucket(chunkKey(sub.Blob, 1))
		}, true},
		{"extra chunk", func(tx *bolt.Tx, sub Submission) error {
			return putChunk(tx, sub.Blob, sub.Chunks, nil)
		}, true},
		{"wrong size", func(tx *bolt.Tx, sub Submission) error {
			sub.Size++
			return putSubmission(tx, &sub)
		}, true},
		{"malformed chunk key", func(tx *bolt.Tx, _ Submission) error {
			_, err := tx.Bucket(bucketChunks).CreateBucket([]byte("short"))
			return err
		}, true},
		{"chunk as a plain value", func(tx *bolt.Tx, sub Submission) error {
			tx.Bucket(bucketChunks).DeleteBucket(chunkKey(sub.Blob, 0))
			return tx.Bucket(bucketChunks).Put(chunkKey(sub.Blob, 0), []byte("x"))
		}, true},
		{"shared blob", func(tx *bolt.Tx, sub Submission) error {
			sub.ID = NewID()
			return putSubmission(tx, &sub)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _ := newTestStore(t)
			commitTestSubmission(t, s, "hub1", 10)
			sub := commitTestSubmission(t, s, "hub1", 2*ChunkSize+7)
			commitTestSubmission(t, s, "hub2", ChunkSize+1)
			if tt.damage != nil {
				if err := s.db.Update(func(tx *bolt.Tx) error { return tt.damage(tx, sub) }); err != nil {
					t.Fatal(err)
				}
			}
			err := s.Verify()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Verify() = %v, want an error: %v", err, tt.wantErr)
			}
		})
	}
}

// TestChunkMultipleSize covers an upload whose size is a whole number of
// chunks: its last chunk is empty, and it must still verify and read back.
func TestChunkMultipleSize(t *testing.T) {
	t.Parallel()
	s, _ := newTestStore(t)
	sub := commitTestSubmission(t, s, "hub1", 2*ChunkSize)
	if sub.Chunks != 3 || sub.Size != 2*ChunkSize {
		t.Fatalf("chunks %d size %d", sub.Chunks, sub.Size)
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
	_, r, err := s.OpenSubmission("hub1", sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, r)
	if err != nil || n != 2*ChunkSize {
		t.Fatalf("read %d bytes: %v", n, err)
	}
}
