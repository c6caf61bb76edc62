package store

import (
	"encoding/binary"
	"errors"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// sumSizes is what a hub's stored-bytes count must be.
func sumSizes(t *testing.T, s *Store, hub string) int64 {
	t.Helper()
	subs, err := s.Submissions(hub)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, sub := range subs {
		n += sub.Size
	}
	return n
}

func checkUsage(t *testing.T, s *Store, hub string, want int64) {
	t.Helper()
	got, err := s.StoredBytes(hub)
	if err != nil {
		t.Fatal(err)
	}
	if got != want || got != sumSizes(t, s, hub) {
		t.Fatalf("stored bytes of %s: %d, want %d (submissions hold %d)", hub, got, want, sumSizes(t, s, hub))
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
}

// TestStoredBytesFollowEveryChange walks the count through every way a
// submission arrives or leaves.
func TestStoredBytesFollowEveryChange(t *testing.T) {
	t.Parallel()
	s, path := newTestStore(t)
	old := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	var want int64

	a := commitTestSubmission(t, s, "h", 2*ChunkSize+10)
	b := commitTestSubmission(t, s, "h", 100)
	commitTestSubmission(t, s, "other", 7)
	want = a.Size + b.Size
	checkUsage(t, s, "h", want)
	checkUsage(t, s, "other", 7)

	steps := []struct {
		name  string
		do    func() error
		delta int64
	}{
		{"rekey to a smaller file", func() error {
			_, err := s.NewReplacement("h", a.ID).Commit(make([]byte, 50), Submission{Epoch: 2})
			return err
		}, 50 - a.Size},
		{"delete", func() error { return s.Delete("h", b.ID) }, -b.Size},
		{"a conversation", func() error {
			up := s.NewUpload("h")
			up.OpenThread([32]byte{9})
			root, err := up.Commit(make([]byte, 30), Submission{Kind: "report", Received: old})
			if err != nil {
				return err
			}
			up = s.NewUpload("h")
			up.JoinThread(root.ID)
			_, err = up.Commit(make([]byte, 20), Submission{Kind: "followup", Received: old})
			return err
		}, 50},
		{"delete the conversation", func() error {
			root, err := s.ThreadByVerifier("h", [32]byte{9})
			if err != nil {
				return err
			}
			_, err = s.DeleteThread("h", root)
			return err
		}, -50},
		{"arm a check-in", func() error {
			up := s.NewUpload("h")
			up.ArmCheckin(Checkin{Every: time.Hour, Deadline: old.Add(time.Hour)}, [32]byte{1}, [32]byte{2})
			_, err := up.Commit(make([]byte, 40), Submission{Kind: "checkin", Received: old})
			return err
		}, 40},
		{"stop it", func() error { return s.StopCheckin("h", [32]byte{1}) }, -40},
		{"retention", func() error {
			sub := commitTestSubmission(t, s, "h", 60)
			if err := s.SetStatus("h", sub.ID, StatusClosed); err != nil {
				return err
			}
			deleted, err := s.DeleteExpired("h", sub.ID, sub.Received.Add(time.Hour))
			if err == nil && !deleted {
				err = errors.New("not deleted")
			}
			return err
		}, 0},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		want += st.delta
		checkUsage(t, s, "h", want)
	}

	// Reopening recounts, and repairs a count gone wrong.
	s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUsage).Put([]byte("h"), binary.BigEndian.AppendUint64(nil, 12345))
	})
	if err := s.Verify(); err == nil {
		t.Fatal("Verify missed a wrong count")
	}
	s.Close()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkUsage(t, s, "h", want)
	checkUsage(t, s, "other", 7)
}

// TestQuotaHoldsUnderConcurrentCommits commits many uploads at once, which
// bbolt batches into shared transactions, against a quota for a few of
// them: exactly as many as fit must get in.
func TestQuotaHoldsUnderConcurrentCommits(t *testing.T) {
	t.Parallel()
	s, _ := newTestStore(t)
	const size, fit, tries = 1000, 5, 40
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		ok, full int
	)
	for range tries {
		wg.Go(func() {
			up := s.NewUpload("h")
			up.LimitStored(fit * size)
			_, err := up.Commit(make([]byte, size), Submission{Kind: "report"})
			if err != nil {
				up.Abort()
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrQuotaExceeded):
				full++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok != fit || full != tries-fit {
		t.Fatalf("%d committed and %d refused, want %d and %d", ok, full, fit, tries-fit)
	}
	checkUsage(t, s, "h", fit*size)

	// A rekey is never refused, even over the quota.
	subs, _ := s.Submissions("h")
	rep := s.NewReplacement("h", subs[0].ID)
	rep.LimitStored(1)
	if _, err := rep.Commit(make([]byte, size+10), Submission{Epoch: 1}); err != nil {
		t.Fatalf("rekey over the quota: %v", err)
	}
	checkUsage(t, s, "h", fit*size+10)
}
