package checkin

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"difesa.org/difesa/internal/store"
)

// TestSchedulerFiresInRealTime arms a timer due in a second and waits for
// the real scheduler to mark it missed.
func TestSchedulerFiresInRealTime(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fired := make(chan struct{}, 4)
	s := NewScheduler(st, slog.New(slog.DiscardHandler))
	s.Fired = func() { fired <- struct{}{} }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)

	up := st.NewUpload("h")
	up.ArmCheckin(store.Checkin{Every: time.Second, Grace: 200 * time.Millisecond, Deadline: time.Now().Add(time.Second)}, [32]byte{1}, [32]byte{2})
	if _, err := up.Commit([]byte("instructions"), store.Submission{Kind: "checkin"}); err != nil {
		t.Fatal(err)
	}
	s.Poke()
	start := time.Now()
	select {
	case <-fired:
	case <-time.After(10 * time.Second):
		t.Fatal("the timer did not fire within 10 s")
	}
	if el := time.Since(start); el < time.Second {
		t.Fatalf("fired after %v, before the deadline plus grace", el)
	}
	evs, _ := st.Events()
	if len(evs) != 1 || evs[0].Type != "checkin.missed" {
		t.Fatalf("events: %+v", evs)
	}
}
