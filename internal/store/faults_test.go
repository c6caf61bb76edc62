package store

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	berrors "go.etcd.io/bbolt/errors"
)

// The store's error paths, reached with real faults: a file that is not a
// bbolt database, a closed database, a folder where a file should go. Each
// error must say what failed (wrapped, "store: unable to …") and lose
// nothing: what the store held before the fault is there after reopening.

// seedStore opens a store at path and gives it one committed submission;
// check, after a fault, finds it again in a reopened store.
func seedStore(t *testing.T, path string) (s *Store, check func(t *testing.T)) {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	up := s.NewUpload("h")
	if err := up.WriteChunk(bytes.Repeat([]byte{1}, 1000)); err != nil {
		t.Fatal(err)
	}
	kept, err := up.Commit([]byte("the end"), Submission{Kind: "report"})
	if err != nil {
		t.Fatal(err)
	}
	return s, func(t *testing.T) {
		t.Helper()
		r, err := Open(path, Options{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatalf("reopening after the fault: %v", err)
		}
		defer r.Close()
		subs, err := r.Submissions("h")
		if err != nil || len(subs) != 1 || subs[0].ID != kept.ID || subs[0].Size != 1007 {
			t.Fatalf("after the fault the hub holds %+v (%v), want the one submission %s", subs, err, kept.ID)
		}
		_, body, err := r.OpenSubmission("h", kept.ID)
		if err != nil {
			t.Fatalf("opening the submission after the fault: %v", err)
		}
		if b, err := io.ReadAll(body); err != nil || len(b) != 1007 || !bytes.HasSuffix(b, []byte("the end")) {
			t.Fatalf("reading the submission after the fault: %d bytes, %v", len(b), err)
		}
		if n := countChunks(t, r); n != 2 {
			t.Fatalf("%d chunks after the fault, want the submission's 2", n)
		}
		if err := r.Verify(); err != nil {
			t.Fatalf("verify after the fault: %v", err)
		}
	}
}

// wantWrapped fails t unless err wraps target and its text starts with
// "store: " and holds what.
func wantWrapped(t *testing.T, err, target error, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	if target != nil && !errors.Is(err, target) {
		t.Fatalf("%s: %v does not wrap %v", what, err, target)
	}
	if !strings.HasPrefix(err.Error(), "store: ") || !strings.Contains(err.Error(), what) {
		t.Fatalf("error %q: want it to start with \"store: \" and say %q", err, what)
	}
}

func TestOpenNotADatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	junk := bytes.Repeat([]byte("this is a note, not a bbolt database\n"), 400)
	tests := []struct {
		name string
		opts Options
	}{
		{"read-write", Options{}},
		{"read-only", Options{ReadOnly: true}},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.name+".db")
		if err := os.WriteFile(path, junk, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path, tt.opts)
		if err == nil {
			s.Close()
			t.Fatalf("%s: opened a file that is not a database", tt.name)
		}
		wantWrapped(t, err, berrors.ErrInvalid, "unable to open "+path)
		if got, _ := os.ReadFile(path); !bytes.Equal(got, junk) {
			t.Fatalf("%s: opening changed the file that is not a database", tt.name)
		}
	}
}

func TestOpenWhereNoFileCanBe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notADir := filepath.Join(dir, "file")
	if err := os.WriteFile(notADir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		opts       Options
	}{
		{"a folder", dir, Options{}},
		{"in a missing folder", filepath.Join(dir, "missing", "test.db"), Options{}},
		{"under a file", filepath.Join(notADir, "test.db"), Options{}},
		{"read-only, missing", filepath.Join(dir, "missing.db"), Options{ReadOnly: true}},
	}
	for _, tt := range tests {
		s, err := Open(tt.path, tt.opts)
		if err == nil {
			s.Close()
			t.Fatalf("%s: opened %s", tt.name, tt.path)
		}
		wantWrapped(t, err, nil, "unable to open "+tt.path)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a read-only open created the file: %v", err)
	}
}

func TestClosedStoreFailsCleanly(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "test.db")
	s, check := seedStore(t, path)
	open := s.NewUpload("h")
	if err := open.WriteChunk(make([]byte, 500)); err != nil {
		t.Fatal(err)
	}
	unstarted := s.NewUpload("h")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	wantWrapped(t, open.WriteChunk(make([]byte, 500)), berrors.ErrDatabaseNotOpen, "unable to write chunk 1 of")
	_, err := open.Commit([]byte("end"), Submission{Kind: "report"})
	wantWrapped(t, err, berrors.ErrDatabaseNotOpen, "unable to commit")
	wantWrapped(t, open.Abort(), berrors.ErrDatabaseNotOpen, "unable to abort upload")
	_, err = unstarted.Commit([]byte("end"), Submission{Kind: "report"})
	wantWrapped(t, err, berrors.ErrDatabaseNotOpen, "unable to commit")
	wantWrapped(t, s.DropTokens(), berrors.ErrDatabaseNotOpen, "unable to drop stored sessions")
	if _, err := s.Submissions("h"); !errors.Is(err, berrors.ErrDatabaseNotOpen) {
		t.Fatalf("listing a closed store: %v", err)
	}
	if err := s.Ping(); err == nil {
		t.Fatal("Ping of a closed store succeeded")
	}

	// The upload whose abort failed is reclaimed by the next Open.
	check(t)
}

func TestCompactFaults(t *testing.T) {
	t.Parallel()
	t.Run("not a database", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "test.db")
		junk := bytes.Repeat([]byte("not bbolt "), 1000)
		os.WriteFile(path, junk, 0o600)
		_, _, err := Compact(path)
		wantWrapped(t, err, berrors.ErrInvalid, "unable to open "+path)
		if got, _ := os.ReadFile(path); !bytes.Equal(got, junk) {
			t.Fatal("compacting changed a file that is not a database")
		}
		if _, err := os.Stat(path + ".compact"); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("a failed compaction left its target: %v", err)
		}
	})
	t.Run("a folder where the new file goes", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "test.db")
		s, check := seedStore(t, path)
		s.Close()
		// Something of the operator's: compaction must neither use nor
		// remove it.
		if err := os.MkdirAll(filepath.Join(path+".compact", "keep"), 0o700); err != nil {
			t.Fatal(err)
		}
		_, _, err := Compact(path)
		wantWrapped(t, err, nil, "unable to create "+path+".compact")
		if _, err := os.Stat(filepath.Join(path+".compact", "keep")); err != nil {
			t.Fatalf("compaction removed what was in its way: %v", err)
		}
		check(t)
	})
	t.Run("a file left by a compaction that died", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "test.db")
		s, check := seedStore(t, path)
		s.Close()
		if err := os.WriteFile(path+".compact", []byte("half a database"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := Compact(path); err != nil {
			t.Fatalf("compacting over a stale target: %v", err)
		}
		if _, err := os.Stat(path + ".compact"); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("the compaction's target is still there: %v", err)
		}
		check(t)
	})
	t.Run("a database in use", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "test.db")
		s, check := seedStore(t, path)
		if _, _, err := Compact(path); !errors.Is(err, ErrInUse) {
			t.Fatalf("compacting a database in use: %v", err)
		}
		s.Close()
		check(t)
	})
}
