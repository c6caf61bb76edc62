package store

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"
)

func TestPutManifestIsCompareAndSwap(t *testing.T) {
	s, _ := newTestStore(t)
	if _, err := s.PutManifest("h", 0, 1, []byte(`{"one":1}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutManifest("h", 0, 1, []byte(`{"again":1}`)); !errors.Is(err, ErrEpochTaken) {
		t.Fatalf("second first manifest: %v", err)
	}
	if _, err := s.PutManifest("h", 1, 2, []byte(`{"two":2}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutManifest("h", 1, 2, []byte(`{"racer":2}`)); !errors.Is(err, ErrEpochTaken) {
		t.Fatalf("lost race accepted: %v", err)
	}
	ms, err := s.Manifests("h")
	if err != nil || len(ms) != 2 || ms[0].Epoch != 1 || ms[1].Epoch != 2 || string(ms[1].Signed) != `{"two":2}` {
		t.Fatalf("manifests: %+v %v", ms, err)
	}
	if !ms[0].Published.Equal(ms[0].Published.Truncate(time.Hour)) {
		t.Fatal("publication time is not rounded to the hour")
	}
	if other, _ := s.Manifests("other"); len(other) != 0 {
		t.Fatal("manifests leak across hubs")
	}
	log, _ := s.Audit("h")
	if len(log) != 2 || log[1].Event != "manifest.published" || log[1].Epoch != 2 {
		t.Fatalf("audit: %+v", log)
	}
}

func TestReplacementSwapsCiphertext(t *testing.T) {
	s, _ := newTestStore(t)
	orig := commitTestSubmission(t, s, "h", 2*ChunkSize+3)
	s.SetStatus("h", orig.ID, "in_progress")

	rep := s.NewReplacement("h", orig.ID)
	rep.WriteChunk(bytes.Repeat([]byte{1}, ChunkSize))
	// Until the swap commits, readers see the old ciphertext.
	if _, r, _ := s.OpenSubmission("h", orig.ID); readAll(t, r)[0] != 0xa5 {
		t.Fatal("replacement visible before commit")
	}
	sub, err := rep.Commit([]byte{2, 2}, Submission{Epoch: 2, Recipients: "new"})
	if err != nil {
		t.Fatal(err)
	}
	if sub.ID != orig.ID || sub.Size != ChunkSize+2 || sub.Epoch != 2 || sub.Status != "in_progress" || !sub.Received.Equal(orig.Received) {
		t.Fatalf("after swap: %+v", sub)
	}
	_, r, _ := s.OpenSubmission("h", orig.ID)
	if got := readAll(t, r); len(got) != ChunkSize+2 || got[0] != 1 {
		t.Fatalf("read %d bytes after swap", len(got))
	}
	if err := s.Verify(); err != nil {
		t.Fatalf("old chunks left behind: %v", err)
	}
	// Going back, or to the same recipients again, is refused and leaves
	// nothing; other recipients at the same epoch (a restricted case's)
	// are a move.
	for _, to := range []Submission{{Epoch: 1, Recipients: "old"}, {Epoch: 2, Recipients: "new"}} {
		again := s.NewReplacement("h", orig.ID)
		if _, err := again.Commit([]byte{3}, to); !errors.Is(err, ErrAlreadyCurrent) {
			t.Fatalf("to %+v: %v", to, err)
		}
		again.Abort()
	}
	sideways := s.NewReplacement("h", orig.ID)
	if sub, err := sideways.Commit([]byte{4}, Submission{Epoch: 2, Recipients: "subset"}); err != nil || sub.Recipients != "subset" {
		t.Fatalf("to other recipients at the same epoch: %+v %v", sub, err)
	}
	gone := s.NewReplacement("h", NewID())
	if _, err := gone.Commit([]byte{3}, Submission{Epoch: 3}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown submission: %v", err)
	}
	gone.Abort()
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
	log, _ := s.Audit("h")
	if len(log) != 2 || log[0].Event != "submission.rekeyed" || log[0].Submission != orig.ID.String() { // the move and the sideways one
		t.Fatalf("audit: %+v", log)
	}
	counts, _ := s.EpochCounts("h")
	if counts[2] != 1 || counts[0] != 0 {
		t.Fatalf("epoch counts: %v", counts)
	}
}

func readAll(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
