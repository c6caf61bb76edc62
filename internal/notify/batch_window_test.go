package notify

import (
	"testing"
	"time"

	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/wire"
)

// TestBatchWindowAlignsOnTheDay accepts only windows that start at the same
// UTC times every day, and checks that those do at every instant: the
// window an instant falls in ends within one window, at a multiple of the
// window since UTC midnight, and a day later the window ends a day later.
// Before the fix a 7-minute window was accepted, and its windows started
// at different times each day.
func TestBatchWindowAlignsOnTheDay(t *testing.T) {
	t.Parallel()
	hook := webhookChannel("h", "https://x.example/h", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	for _, tt := range []struct {
		window string
		ok     bool
	}{
		{"1m", true}, {"7m", false}, {"10m", true}, {"45m", true}, {"50m", false}, {"90m", true},
		{"1m30s", true}, {"1m0.5s", false}, {"5h", false}, {"24h", true}, {"25h", false}, {"48h", true},
	} {
		t.Run(tt.window, func(t *testing.T) {
			t.Parallel()
			w, _ := time.ParseDuration(tt.window)
			c := hook
			c.BatchWindow = Duration(w)
			if err := c.Validate(); (err == nil) != tt.ok {
				t.Fatalf("Validate: %v, want ok %v", err, tt.ok)
			}
			if !tt.ok {
				return
			}
			for _, in := range instants.All(t) {
				end := windowEnd(in.T, w)
				u := end.UTC()
				midnight := time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
				if !end.After(in.T) || end.Sub(in.T) > w || (w <= 24*time.Hour && u.Sub(midnight)%w != 0) || (w > 24*time.Hour && !u.Equal(midnight)) {
					t.Errorf("%s: the window ends at %v", in.Name, u)
				}
				if next := windowEnd(in.T.Add(24*time.Hour), w); w <= 24*time.Hour && !next.Equal(end.Add(24*time.Hour)) {
					t.Errorf("%s: the window ends at %v, a day later at %v", in.Name, u, next.UTC())
				}
			}
		})
	}
}

// TestBatchAtInstants submits a report at each instant to a worker whose
// clock is there: the notification leaves when the 10-minute window of the
// UTC clock ends (23:59 → 00:00 of the next day, month or year), not a
// moment before.
func TestBatchAtInstants(t *testing.T) {
	t.Parallel()
	for _, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			secret := newSecret(t)
			r := newReceiver(t, secret)
			c := &clock{t: in.T}
			s := newTestStore(t, c)
			w := newTestWorker(t, s, c, webhookChannel("hook", r.URL, secret))
			u := in.T.UTC()
			end := time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), (u.Minute()/10+1)*10, 0, 0, time.UTC)

			submit(t, s, testHub, wire.EventReportReceived, false)
			step(t, w)
			c.Advance(end.Sub(in.T) - time.Nanosecond)
			step(t, w)
			if n := len(r.requests()); n != 0 {
				t.Fatalf("%d notifications a nanosecond before %v", n, end)
			}
			c.Advance(time.Nanosecond)
			step(t, w)
			if reqs := r.requests(); len(reqs) != 1 || bodyOf(t, reqs[0]).Count != 1 {
				t.Fatalf("at %v: %d notifications, want one of one report", end, len(reqs))
			}
		})
	}
}

// TestFailedKeptThreeDaysAtInstants gives up on an alert whose channel
// keeps failing, and keeps the failed event on show until 72 hours after
// the hour it was created in (across day, month and year ends), then
// removes it.
func TestFailedKeptThreeDaysAtInstants(t *testing.T) {
	t.Parallel()
	for _, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			secret := newSecret(t)
			r := newReceiver(t, secret)
			fails := make([]int, 64)
			for i := range fails {
				fails[i] = 503
			}
			r.answer(fails...)
			c := &clock{t: in.T}
			s := newTestStore(t, c)
			w := newTestWorker(t, s, c, webhookChannel("hook", r.URL, secret))
			w.lifetime = time.Hour
			submit(t, s, testHub, wire.EventAlertReceived, true)
			u := in.T.UTC()
			gone := time.Date(u.Year(), u.Month(), u.Day(), u.Hour()+72, 0, 0, 0, time.UTC)

			for i := 0; i < 8 && !failed(t, s); i++ {
				step(t, w)
				c.Advance(DefaultRetryMax)
			}
			if !failed(t, s) {
				t.Fatal("the delivery was never given up")
			}
			c.Advance(gone.Add(-time.Nanosecond).Sub(c.Now()))
			step(t, w)
			if n := len(events(t, s)); n != 1 {
				t.Fatalf("%d events a nanosecond before %v, want the failed one", n, gone)
			}
			c.Advance(time.Nanosecond)
			step(t, w)
			if n := len(events(t, s)); n != 0 {
				t.Fatalf("%d events at %v, want none", n, gone)
			}
		})
	}
}

// failed reports whether the outbox holds one event whose delivery failed.
func failed(t *testing.T, s *store.Store) bool {
	t.Helper()
	evs := events(t, s)
	return len(evs) == 1 && evs[0].Deliveries["hook"] != nil && evs[0].Deliveries["hook"].State == store.DeliveryFailed
}
