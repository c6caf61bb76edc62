package casebook

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// A large sync (a first one, or one resumed) allocates about 170 kB for
// each report it takes in, nearly all of it garbage at once (age's and
// the bundle reader's buffers, the downloads, bbolt's pages), against a
// desk's live heap of a few kB a report. With the garbage collector's
// default target (GOGC=100) it then collected every 15 MB, 120 times in a
// first sync of 10,000 reports, a fifth of the desk's CPU. While such a
// sync runs, [paceGC] lets the heap grow three times its live size
// instead of once, but never by more than [gcExtra] beyond what the
// default allows, and puts the default back (and gives the memory to the
// system) when it ends.
const (
	// bigSync is how many downloads make a sync large.
	bigSync = 1000
	// gcPercent is the target while a large sync runs.
	gcPercent = 300
	// gcExtra bounds the heap the raised target adds.
	gcExtra = 256 << 20
)

var gcPace struct {
	mu   sync.Mutex
	held int // large syncs running
	prev int // the target before the first of them
}

// paceGC raises the collector's target for a large sync of n downloads
// and returns what to call at each page (to follow the live heap) and at
// the end. Syncs of several hubs share the raise. A target the user set
// (GOGC, or off) at or above gcPercent is left alone.
func paceGC(n int) (page, end func()) {
	if n < bigSync {
		return func() {}, func() {}
	}
	gcPace.mu.Lock()
	if gcPace.held == 0 {
		prev := debug.SetGCPercent(100)
		debug.SetGCPercent(prev)
		if prev < 0 || prev >= gcPercent {
			gcPace.mu.Unlock()
			return func() {}, func() {}
		}
		gcPace.prev = prev
	}
	gcPace.held++
	gcPace.mu.Unlock()
	retarget := func() {
		gcPace.mu.Lock()
		defer gcPace.mu.Unlock()
		if gcPace.held > 0 {
			debug.SetGCPercent(gcTarget(liveHeap(), gcPace.prev))
		}
	}
	retarget()
	var once sync.Once
	return retarget, func() {
		once.Do(func() {
			gcPace.mu.Lock()
			defer gcPace.mu.Unlock()
			if gcPace.held--; gcPace.held == 0 {
				debug.SetGCPercent(gcPace.prev)
				debug.FreeOSMemory()
			}
		})
	}
}

// gcTarget is the collector's target for a live heap of live bytes: up
// to gcPercent, as long as it adds at most gcExtra to what prev allows.
func gcTarget(live uint64, prev int) int {
	if live == 0 {
		return gcPercent
	}
	extra := int(min(uint64(gcExtra)*100/live, uint64(gcPercent)))
	return max(min(prev+extra, gcPercent), prev)
}

// liveHeap is the heap the last collection found live.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
