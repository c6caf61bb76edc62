package store

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func newTestStore(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func countChunks(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	s.db.View(func(tx *bolt.Tx) error {
		forEachChunk(tx, func(chunkInfo) { n++ })
		return nil
	})
	return n
}

func TestUploadCommitAndRead(t *testing.T) {
	s, _ := newTestStore(t)
	data := bytes.Repeat([]byte("0123456789abcdef"), 3*ChunkSize/16+5)
	up := s.NewUpload("hub1")
	up.WriteChunk(data[:ChunkSize])
	up.WriteChunk(data[ChunkSize : 2*ChunkSize])
	if _, err := s.Submission("hub1", up.ID()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("submission visible before commit: %v", err)
	}
	sub, err := up.Commit(data[2*ChunkSize:], Submission{Kind: "report", Status: "new", Received: time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Size != int64(len(data)) || sub.Chunks != 3 {
		t.Fatalf("got size %d chunks %d", sub.Size, sub.Chunks)
	}
	_, r, err := s.OpenSubmission("hub1", up.ID())
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, err %v", len(got), err)
	}
	if _, err := s.Submission("hub2", up.ID()); !errors.Is(err, ErrNotFound) {
		t.Fatal("submission visible from another hub")
	}
	if err := up.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Submission("hub1", up.ID()); err != nil {
		t.Fatal("abort after commit removed the submission")
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	s, _ := newTestStore(t)
	up := s.NewUpload("hub1")
	up.WriteChunk(make([]byte, 100))
	up.WriteChunk(make([]byte, 100))
	if err := up.Abort(); err != nil {
		t.Fatal(err)
	}
	if n := countChunks(t, s); n != 0 {
		t.Fatalf("%d chunks left after abort", n)
	}
}

func TestOpenReclaimsPending(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := s.NewUpload("hub1")
	done.Commit([]byte("complete"), Submission{Kind: "report"})
	crashed := s.NewUpload("hub1")
	crashed.WriteChunk(make([]byte, 1000))
	crashed.WriteChunk(make([]byte, 1000))
	s.Close() // as if the process died here

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := countChunks(t, s); n != 1 {
		t.Fatalf("want the 1 chunk of the complete submission, have %d", n)
	}
	subs, _ := s.Submissions("hub1")
	if len(subs) != 1 || subs[0].ID != done.ID() {
		t.Fatalf("submissions after reclaim: %+v", subs)
	}
}

func TestDeleteRemovesChunks(t *testing.T) {
	s, _ := newTestStore(t)
	keep := s.NewUpload("hub1")
	keep.Commit([]byte("keep"), Submission{})
	del := s.NewUpload("hub1")
	del.WriteChunk(make([]byte, 10))
	del.Commit([]byte("x"), Submission{})
	if err := s.Delete("hub1", del.ID()); err != nil {
		t.Fatal(err)
	}
	if n := countChunks(t, s); n != 1 {
		t.Fatalf("chunks left: %d", n)
	}
	if err := s.Delete("hub1", del.ID()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if err := s.Delete("hub2", keep.ID()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete from another hub: %v", err)
	}
}

func TestSubmissionsNewestFirstAndStatus(t *testing.T) {
	s, _ := newTestStore(t)
	old := s.NewUpload("h")
	old.Commit(nil, Submission{Received: time.Unix(3600, 0)})
	newer := s.NewUpload("h")
	newer.Commit(nil, Submission{Received: time.Unix(7200, 0)})
	if err := s.SetStatus("h", old.ID(), "closed"); err != nil {
		t.Fatal(err)
	}
	subs, err := s.Submissions("h")
	if err != nil || len(subs) != 2 {
		t.Fatal(subs, err)
	}
	if subs[0].ID != newer.ID() || subs[1].Status != "closed" {
		t.Fatalf("got %+v", subs)
	}
	if err := s.SetStatus("h", NewID(), "closed"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
}

func TestParseID(t *testing.T) {
	id := NewID()
	if got, err := ParseID(id.String()); err != nil || got != id {
		t.Fatalf("round trip: %v %v", got, err)
	}
	if len(id.String()) != 26 {
		t.Fatalf("id text length %d", len(id.String()))
	}
	for _, bad := range []string{"", "x", id.String() + "a", id.String()[:25], "AAAAAAAAAAAAAAAAAAAAAAAAAA", "aaaaaaaaaaaaaaaaaaaaaaaaab", "../../../../../../../etc/p"} {
		if _, err := ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
}

// TestDropTokens opens a database where an earlier version stored a login
// session (recipient and expiry to the nanosecond) and checks that
// DropTokens leaves nothing of it.
func TestDropTokens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	old := []byte(`{"hub":"h","recipient":"age1pq1old","expires":"2026-11-23T14:05:07.123456789Z"}`)
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketTokens)
		if err != nil {
			return err
		}
		return b.Put(bytes.Repeat([]byte{7}, 32), old)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 2 { // a second call finds nothing to do
		if err := s.DropTokens(); err != nil {
			t.Fatal(err)
		}
	}
	s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketTokens) != nil {
			t.Error("the sessions bucket is still there")
		}
		return nil
	})
}
