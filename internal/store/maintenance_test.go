package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestBackupUnderLoadRestores(t *testing.T) {
	s, _ := newTestStore(t)
	var before []Submission
	for i := 0; i < 20; i++ {
		before = append(before, commitTestSubmission(t, s, "h", 1000+i))
	}
	// Writers keep going while the backup is taken.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				up := s.NewUpload("h")
				up.WriteChunk(bytes.Repeat([]byte{1}, ChunkSize))
				up.Commit([]byte("tail"), Submission{Kind: "report"})
			}
		}()
	}
	var buf bytes.Buffer
	if _, err := s.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()

	dir := t.TempDir()
	path := filepath.Join(dir, "restored.db")
	if err := Restore(bytes.NewReader(buf.Bytes()), path); err != nil {
		t.Fatal(err)
	}
	if err := Restore(bytes.NewReader(buf.Bytes()), path); err == nil {
		t.Fatal("restore overwrote an existing database")
	}
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, sub := range before {
		_, rd, err := r.OpenSubmission("h", sub.ID)
		if err != nil {
			t.Fatalf("%s missing from the backup: %v", sub.ID, err)
		}
		if got := readAll(t, rd); len(got) != int(sub.Size) {
			t.Fatalf("%s: %d bytes", sub.ID, len(got))
		}
	}
	if err := r.Verify(); err != nil {
		t.Fatal(err)
	}
	if err := Restore(bytes.NewReader([]byte("not a database")), filepath.Join(dir, "junk.db")); err == nil {
		t.Fatal("junk restored")
	}
	if _, err := os.Stat(filepath.Join(dir, "junk.db")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a failed restore left a file")
	}
}

func TestCompactRemovesDeletedCiphertext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	marker := bytes.Repeat([]byte("DELETED-CIPHERTEXT-MARKER "), 40000) // ~1 MiB
	up := s.NewUpload("h")
	up.Commit(marker, Submission{})
	keep := commitTestSubmission(t, s, "h", 5000)
	if err := s.Delete("h", up.ID()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Compact(path); !errors.Is(err, ErrInUse) {
		t.Fatalf("compacting a database in use: %v", err)
	}
	s.Close()
	raw, _ := os.ReadFile(path)
	if !bytes.Contains(raw, marker[:100]) {
		t.Skip("bbolt already overwrote the freed pages; nothing to show")
	}
	before, after, err := Compact(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = os.ReadFile(path)
	if bytes.Contains(raw, marker[:26]) {
		t.Fatal("deleted ciphertext still in the file after compaction")
	}
	if after >= before {
		t.Fatalf("compaction did not shrink the file: %d → %d", before, after)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Submission("h", keep.ID); err != nil {
		t.Fatal("compaction lost a submission")
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
}
