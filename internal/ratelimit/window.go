package ratelimit

import (
	"sync"
	"time"
)

// windowSlots is how many slots a [Window] divides its period into: an
// hour counts by the minute.
const windowSlots = 60

// Window caps how many events happen per key (a hub) in any rolling
// period, such as "600 submissions an hour". Unlike a token bucket it
// never lets through more than the limit in one period (to a slot: an
// event stops counting when its minute is an hour old), and it can say
// when the next event will be allowed.
//
// It keeps, per key, in memory only, how many events fell in each of the
// period's last [windowSlots] slots (minutes, for an hour): no event's own
// time, no identifier, nothing written to disk, everything forgotten at a
// restart.
type Window struct {
	slot time.Duration
	now  func() time.Time

	mu   sync.Mutex
	keys map[string]*ring
}

type ring struct {
	counts [windowSlots]int
	head   int64 // number of the newest slot: time since 1970 / slot
	total  int
}

// Slot says where a taken event was counted, for [Window.Return].
type Slot struct{ n int64 }

// NewWindow returns a window over period (time.Now if now is nil).
func NewWindow(period time.Duration, now func() time.Time) *Window {
	if now == nil {
		now = time.Now
	}
	return &Window{slot: max(period/windowSlots, time.Nanosecond), now: now, keys: map[string]*ring{}}
}

// Take counts one event for key if fewer than limit were counted in the
// last period. Otherwise it returns false and how long until enough of
// them leave the period for one more.
func (w *Window) Take(key string, limit int) (Slot, bool, time.Duration) {
	now := w.now()
	n := now.UnixNano() / int64(w.slot)
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.keys[key]
	if r == nil {
		r = &ring{head: n}
		w.keys[key] = r
	}
	r.advance(n)
	if r.total < limit {
		r.counts[n%windowSlots]++
		r.total++
		return Slot{n}, true, 0
	}
	// The oldest slots leave first; wait until enough have.
	excess := r.total - limit + 1
	for i := n - windowSlots + 1; i <= n; i++ {
		if excess -= r.counts[i%windowSlots]; excess <= 0 {
			leaves := time.Unix(0, (i+windowSlots)*int64(w.slot))
			return Slot{}, false, leaves.Sub(now)
		}
	}
	return Slot{}, false, w.slot * windowSlots // limit ≤ 0: never
}

// Return uncounts an event taken in vain (an upload that failed), if its
// slot is still in the period.
func (w *Window) Return(key string, s Slot) {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.keys[key]
	if r == nil || s.n <= r.head-windowSlots || s.n > r.head {
		return
	}
	if i := s.n % windowSlots; r.counts[i] > 0 {
		r.counts[i]--
		r.total--
	}
}

// advance moves the ring to slot n, emptying the slots it passes.
func (r *ring) advance(n int64) {
	if n <= r.head {
		return
	}
	if n-r.head >= windowSlots {
		r.counts, r.total = [windowSlots]int{}, 0
	} else {
		for i := r.head + 1; i <= n; i++ {
			r.total -= r.counts[i%windowSlots]
			r.counts[i%windowSlots] = 0
		}
	}
	r.head = n
}
