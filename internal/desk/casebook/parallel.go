package casebook

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallel runs fn(0) … fn(n-1) on as many goroutines as there are CPUs.
func parallel(n int, fn func(i int)) {
	parallelOn(min(max(runtime.GOMAXPROCS(0), 1), 8), n, fn)
}

// parallelOn runs fn(0) … fn(n-1), in that order of start, on at most
// workers goroutines. Each takes the next index from a counter: handing
// each over through a channel woke a goroutine per index, a twentieth of
// a first sync's CPU spent in the scheduler.
func parallelOn(workers, n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				fn(int(i))
			}
		})
	}
	wg.Wait()
}

// byteBudget bounds the bytes several goroutines hold at once: a sync's
// workers take what a download may bring before it and give it back once
// the ciphertext is decrypted, so that more downloads in flight than
// CPUs (which keeps the CPUs busy while the hub answers) never hold more
// than the budget, or than one download larger than it alone.
type byteBudget struct {
	mu   sync.Mutex
	cond sync.Cond
	free int64
	size int64
	// waiting counts the takes waiting for bytes (for the tests).
	waiting int
}

func newByteBudget(size int64) *byteBudget {
	b := &byteBudget{free: size, size: size}
	b.cond.L = &b.mu
	return b
}

// take waits until n bytes (at most the whole budget) are free and takes
// them; it returns what to give back.
func (b *byteBudget) take(n int64) int64 {
	n = min(max(n, 0), b.size)
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.free < n {
		b.waiting++
		b.cond.Wait()
		b.waiting--
	}
	b.free -= n
	return n
}

// give gives back what take returned.
func (b *byteBudget) give(n int64) {
	b.mu.Lock()
	b.free += n
	b.mu.Unlock()
	b.cond.Broadcast()
}
