package store

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestThreads(t *testing.T) {
	s, _ := newTestStore(t)
	verifier := [32]byte{1, 2, 3}
	hour := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)

	first := s.NewUpload("h")
	first.OpenThread(verifier)
	root, err := first.Commit([]byte("report"), Submission{Kind: "report", Received: hour})
	if err != nil {
		t.Fatal(err)
	}
	if root.Thread != root.ID {
		t.Fatal("the opening submission does not name its own thread")
	}
	again := s.NewUpload("h")
	again.OpenThread(verifier)
	if _, err := again.Commit([]byte("x"), Submission{}); !errors.Is(err, ErrThreadExists) {
		t.Fatalf("second thread with the same verifier: %v", err)
	}
	again.Abort()

	// Several messages in the same hour keep their order.
	var kinds []string
	for i, kind := range []string{"reply", "followup", "reply", "followup"} {
		up := s.NewUpload("h")
		up.JoinThread(root.ID)
		if _, err := up.Commit([]byte{byte(i)}, Submission{Kind: kind, Received: hour}); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, kind)
	}
	unrelated := s.NewUpload("h")
	unrelated.Commit([]byte("other"), Submission{Kind: "report", Received: hour})

	got, err := s.ThreadByVerifier("h", verifier)
	if err != nil || got != root.ID {
		t.Fatalf("lookup: %v %v", got, err)
	}
	if _, err := s.ThreadByVerifier("h", [32]byte{9}); !errors.Is(err, ErrNoThread) {
		t.Fatalf("unknown verifier: %v", err)
	}
	if _, err := s.ThreadByVerifier("other-hub", verifier); !errors.Is(err, ErrNoThread) {
		t.Fatalf("verifier of another hub: %v", err)
	}
	msgs, err := s.Thread("h", root.ID)
	if err != nil || len(msgs) != 5 || msgs[0].ID != root.ID {
		t.Fatalf("thread: %d messages, %v", len(msgs), err)
	}
	for i, m := range msgs[1:] {
		if m.Kind != kinds[i] || m.Seq != uint32(i+1) {
			t.Fatalf("message %d: %s seq %d", i+1, m.Kind, m.Seq)
		}
	}
	// A message cannot join a thread that is not one.
	stray := s.NewUpload("h")
	stray.JoinThread(unrelated.ID())
	if _, err := stray.Commit([]byte("x"), Submission{}); !errors.Is(err, ErrNoThread) {
		t.Fatalf("joining a non-thread: %v", err)
	}
	stray.Abort()

	n, err := s.DeleteThread("h", root.ID)
	if err != nil || n != 5 {
		t.Fatalf("delete: %d %v", n, err)
	}
	if _, err := s.ThreadByVerifier("h", verifier); !errors.Is(err, ErrNoThread) {
		t.Fatal("verifier survived the deletion")
	}
	if subs, _ := s.Submissions("h"); len(subs) != 1 {
		t.Fatalf("%d submissions left, want the unrelated one", len(subs))
	}
	late := s.NewUpload("h")
	late.JoinThread(root.ID)
	if _, err := late.Commit([]byte("x"), Submission{}); !errors.Is(err, ErrNoThread) {
		t.Fatalf("joining a deleted thread: %v", err)
	}
	late.Abort()
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
	// The codename can open a new conversation after deleting the old one.
	reopen := s.NewUpload("h")
	reopen.OpenThread(verifier)
	if _, err := reopen.Commit([]byte("new"), Submission{}); err != nil {
		t.Fatal(err)
	}
}

// A conversation holds at most MaxThreadMessages messages, so that it is
// listed in one small answer; the refused message leaves nothing behind.
func TestThreadFull(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "db"), Options{MaxThreadMessages: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hour := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	up := s.NewUpload("h")
	up.OpenThread([32]byte{5})
	root, err := up.Commit([]byte("report"), Submission{Kind: "report", Received: hour})
	if err != nil {
		t.Fatal(err)
	}
	join := func() error {
		up := s.NewUpload("h")
		up.JoinThread(root.ID)
		_, err := up.Commit([]byte("followup"), Submission{Kind: "followup", Received: hour})
		up.Abort()
		return err
	}
	for i := range 2 {
		if err := join(); err != nil {
			t.Fatalf("message %d: %v", i+2, err)
		}
	}
	if err := join(); !errors.Is(err, ErrThreadFull) {
		t.Fatalf("a fourth message: %v, want ErrThreadFull", err)
	}
	if msgs, err := s.Thread("h", root.ID); err != nil || len(msgs) != 3 {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
	if MaxThreadMessages*180 > 1<<20/4 {
		t.Fatalf("a full conversation's listing (%d messages) would near the client's 1 MiB", MaxThreadMessages)
	}
}

// Deleting a conversation frees its codename, found through the opening
// submission's index entry, or for a conversation opened before that
// index, by reading the hub's verifiers.
func TestDeleteThreadFreesTheCodename(t *testing.T) {
	s, _ := newTestStore(t)
	hour := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	open := func(v [32]byte) (Submission, error) {
		up := s.NewUpload("h")
		up.OpenThread(v)
		defer up.Abort()
		return up.Commit([]byte("report"), Submission{Kind: "report", Received: hour})
	}
	for _, legacy := range []bool{false, true} {
		v, keep := [32]byte{11}, [32]byte{12, boolByte(legacy)}
		if _, err := open(keep); err != nil {
			t.Fatal(err)
		}
		root, err := open(v)
		if err != nil {
			t.Fatal(err)
		}
		if legacy {
			err := s.db.Update(func(tx *bolt.Tx) error {
				return tx.Bucket(bucketThreadRoots).Bucket([]byte("h")).Delete(root.ID[:])
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.DeleteThread("h", root.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ThreadByVerifier("h", v); !errors.Is(err, ErrNoThread) {
			t.Fatalf("legacy %v: the deleted conversation's codename still resolves: %v", legacy, err)
		}
		if _, err := s.ThreadByVerifier("h", keep); err != nil {
			t.Fatalf("legacy %v: another conversation lost its codename: %v", legacy, err)
		}
		again, err := open(v)
		if err != nil {
			t.Fatalf("legacy %v: the codename cannot open a new conversation: %v", legacy, err)
		}
		if _, err := s.DeleteThread("h", again.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}
