package checkin

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testutil/instants"
)

// TestMissedAtInstants arms, at each instant, a timer due a minute later
// (rounded up to the minute, as the API rounds it) with 30 s of grace, and
// drives the scheduler with a clock and timers the test controls: it
// sleeps until deadline plus grace, does not fire at that very instant,
// and fires once just after it, across day, month and year ends.
func TestMissedAtInstants(t *testing.T) {
	t.Parallel()
	for _, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			c := instants.NewClock(in.T)
			st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{Now: c.Now})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			u := in.T.UTC()
			up := 1
			if u.Second() != 0 || u.Nanosecond() != 0 {
				up = 2
			}
			deadline := time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute()+up, 0, 0, time.UTC)
			if got := store.RoundUp(in.T.Add(time.Minute), time.Minute); !got.Equal(deadline) {
				t.Fatalf("deadline %v, want %v", got.UTC(), deadline)
			}
			const grace = 30 * time.Second
			upl := st.NewUpload("h")
			upl.ArmCheckin(store.Checkin{Every: time.Minute, Grace: grace, Round: time.Minute, Deadline: deadline}, [32]byte{1}, [32]byte{2})
			if _, err := upl.Commit([]byte("instructions"), store.Submission{Kind: "checkin"}); err != nil {
				t.Fatal(err)
			}

			type wake struct {
				d  time.Duration
				ch chan time.Time
			}
			wakes := make(chan wake)
			fired := make(chan struct{}, 4)
			s := NewScheduler(st, slog.New(slog.DiscardHandler))
			s.Now = c.Now
			s.After = func(d time.Duration) <-chan time.Time {
				ch := make(chan time.Time, 1)
				wakes <- wake{d, ch}
				return ch
			}
			s.Fired = func() { fired <- struct{}{} }
			// The missed alarm's escalation (escalate_test.go) stays
			// out of this hour.
			s.Escalation = map[string]Escalation{"h": {After: MaxEscalateAfter}}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { s.Run(ctx); close(done) }()
			defer func() { cancel(); <-done }()
			sleep := func() wake {
				t.Helper()
				select {
				case w := <-wakes:
					return w
				case <-time.After(10 * time.Second):
					t.Fatal("the scheduler did not go to sleep")
					return wake{}
				}
			}
			due := deadline.Add(grace)

			w := sleep()
			if w.d != MaxSleep {
				t.Fatalf("slept %v with the deadline %v away, want %v", w.d, due.Sub(in.T), MaxSleep)
			}
			c.Set(due.Add(-5 * time.Second).In(in.T.Location()))
			w.ch <- c.Now()
			if w = sleep(); w.d != 5*time.Second+10*time.Millisecond {
				t.Fatalf("slept %v 5 s before deadline plus grace", w.d)
			}
			c.Set(due.In(in.T.Location()))
			w.ch <- c.Now()
			w = sleep()
			if n := len(fired); n != 0 {
				t.Fatalf("fired at deadline plus grace exactly (%v), not after it", due)
			}
			c.Set(due.Add(time.Millisecond).In(in.T.Location()))
			w.ch <- c.Now()
			w = sleep()
			if n := len(fired); n != 1 {
				t.Fatalf("fired %d times just after deadline plus grace", n)
			}
			c.Advance(time.Hour)
			w.ch <- c.Now()
			sleep()
			evs, _ := st.Events()
			if len(fired) != 1 || len(evs) != 1 || evs[0].Type != "checkin.missed" {
				t.Fatalf("fired %d times, events %+v; want one checkin.missed", len(fired), evs)
			}
		})
	}
}
