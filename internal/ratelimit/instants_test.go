package ratelimit

import (
	"testing"
	"time"

	"difesa.org/difesa/internal/testutil/instants"
)

// TestWindowAcrossBoundaries fills an hourly window of two across each
// instant (one event 30 s before it, one at it) and checks when a third is
// allowed: when the first event's minute is an hour old, to the
// nanosecond, whatever day, month, year or zone the hour crosses; the
// second event leaves with its own minute.
func TestWindowAcrossBoundaries(t *testing.T) {
	t.Parallel()
	for _, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			now := in.T.Add(-30 * time.Second)
			w := NewWindow(time.Hour, func() time.Time { return now })
			u := now.UTC()
			leaves := time.Date(u.Year(), u.Month(), u.Day(), u.Hour()+1, u.Minute(), 0, 0, time.UTC)
			for _, at := range []time.Time{now, in.T} {
				now = at
				if _, ok, _ := w.Take("h", 2); !ok {
					t.Fatalf("event at %v refused", at)
				}
			}
			now = in.T.Add(10 * time.Second)
			if _, ok, wait := w.Take("h", 2); ok || wait != leaves.Sub(now) {
				t.Fatalf("third at %v: ok=%v wait=%v, want refused for %v (until %v)", now.UTC(), ok, wait, leaves.Sub(now), leaves)
			}
			now = leaves.Add(-time.Nanosecond).In(in.T.Location())
			if _, ok, wait := w.Take("h", 2); ok || wait != time.Nanosecond {
				t.Fatalf("a nanosecond early: ok=%v wait=%v", ok, wait)
			}
			now = leaves.In(in.T.Location())
			if _, ok, _ := w.Take("h", 2); !ok {
				t.Fatalf("third at %v refused", leaves)
			}
			// The event at the instant leaves with the first if it fell in
			// the same minute.
			i := in.T.UTC()
			sameMinute := i.Hour() == u.Hour() && i.Minute() == u.Minute()
			if _, ok, _ := w.Take("h", 2); ok != sameMinute {
				t.Fatalf("a fourth: ok=%v, want %v (both events in one minute: %v)", ok, sameMinute, sameMinute)
			}
		})
	}
}
