package checkin

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testutil/instants"
)

// TestFiringLogsNothing fires a missed check-in at debug level and reads
// the log: a line written at the moment a timer fires would date the
// defender's last check-in (deadline minus grace) to the second, whatever
// time the line itself carries, because journald stamps every line as it
// arrives. The alarm reaches responders through the outbox and the inbox;
// the log holds nothing of it.
func TestFiringLogsNothing(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := instants.NewClock(time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC))
	var log bytes.Buffer
	s := NewScheduler(st, slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})))
	s.Now = clock.Now
	after := make(chan time.Time)
	s.After = func(time.Duration) <-chan time.Time { return after }
	fired := make(chan struct{}, 4)
	s.Fired = func() { fired <- struct{}{} }

	up := st.NewUpload("h")
	up.ArmCheckin(store.Checkin{Every: time.Hour, Grace: time.Minute, Deadline: clock.Now().Add(30 * time.Second)}, [32]byte{1}, [32]byte{2})
	if _, err := up.Commit([]byte("instructions"), store.Submission{Kind: "checkin"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	clock.Advance(2 * time.Minute)
	after <- clock.Now()
	select {
	case <-fired:
	case <-time.After(10 * time.Second):
		t.Fatal("the timer did not fire")
	}
	cancel()
	<-done
	if evs, _ := st.Events(); len(evs) != 1 || evs[0].Type != "checkin.missed" {
		t.Fatalf("events: %+v", evs)
	}
	if log.Len() != 0 {
		t.Fatalf("the scheduler logged when a timer fired:\n%s", log.String())
	}
}
