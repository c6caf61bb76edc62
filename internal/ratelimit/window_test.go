package ratelimit

import (
	"testing"
	"time"
)

func TestWindow(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	now := start
	w := NewWindow(time.Hour, func() time.Time { return now })
	type step struct {
		name   string
		at     time.Duration // since start
		key    string
		ok     bool
		wait   time.Duration // when refused
		giveUp bool          // return the slot at once
	}
	steps := []step{
		{name: "first", at: 0, key: "a", ok: true},
		{name: "second, a minute later", at: 61 * time.Second, key: "a", ok: true},
		{name: "third, taken in vain", at: 2 * time.Minute, key: "a", ok: true, giveUp: true},
		{name: "third again", at: 2 * time.Minute, key: "a", ok: true},
		{name: "over the limit until the first leaves", at: 30 * time.Minute, key: "a", wait: 30 * time.Minute},
		{name: "another hub is not affected", at: 30 * time.Minute, key: "b", ok: true},
		{name: "one second early", at: time.Hour - time.Second, key: "a", wait: time.Second},
		{name: "the first has left", at: time.Hour, key: "a", ok: true},
		{name: "full again: the second (minute 1) leaves at 1h01", at: time.Hour + 30*time.Second, key: "a", wait: 30 * time.Second},
		{name: "long after, empty", at: 5 * time.Hour, key: "a", ok: true},
	}
	for _, st := range steps {
		now = start.Add(st.at)
		slot, ok, wait := w.Take(st.key, 3)
		if ok != st.ok || (!ok && wait != st.wait) {
			t.Fatalf("%s: ok=%v wait=%v, want ok=%v wait=%v", st.name, ok, wait, st.ok, st.wait)
		}
		if st.giveUp {
			w.Return(st.key, slot)
		}
	}
	// The rolling promise: never more than the limit in any hour.
	now = start.Add(10 * time.Hour)
	taken := []time.Time{}
	for i := range 3 * 60 * 60 {
		now = start.Add(10*time.Hour + time.Duration(i)*time.Second)
		if _, ok, _ := w.Take("c", 5); ok {
			taken = append(taken, now)
		}
	}
	for i := 5; i < len(taken); i++ {
		if d := taken[i].Sub(taken[i-5]); d < time.Hour-time.Minute {
			t.Fatalf("6 events within %v", d)
		}
	}
	if len(taken) < 15 {
		t.Fatalf("only %d events in 3 hours at a limit of 5 an hour", len(taken))
	}
}
