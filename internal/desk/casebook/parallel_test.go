package casebook

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestParallelOnRunsEachOnce: every index runs once, on at most the
// workers asked for.
func TestParallelOnRunsEachOnce(t *testing.T) {
	for _, tc := range []struct{ workers, n int }{{1, 5}, {4, 1000}, {10, 3}, {3, 0}} {
		runs := make([]atomic.Int32, tc.n)
		var now, most atomic.Int32
		parallelOn(tc.workers, tc.n, func(i int) {
			c := now.Add(1)
			for m := most.Load(); c > m && !most.CompareAndSwap(m, c); m = most.Load() {
			}
			runs[i].Add(1)
			now.Add(-1)
		})
		for i := range runs {
			if r := runs[i].Load(); r != 1 {
				t.Fatalf("%d workers, %d items: item %d ran %d times", tc.workers, tc.n, i, r)
			}
		}
		if int(most.Load()) > tc.workers {
			t.Fatalf("%d workers, %d items: %d ran at once", tc.workers, tc.n, most.Load())
		}
	}
}

// TestByteBudgetWaits: a take that does not fit waits until enough is
// given back, and one larger than the budget until all of it is.
func TestByteBudgetWaits(t *testing.T) {
	b := newByteBudget(100)
	first := b.take(60)
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); runtime.Gosched() {
			if time.Now().After(deadline) {
				t.Fatalf("waited 10 s for %s", what)
			}
		}
	}
	waiting := func(n int) func() bool {
		return func() bool { b.mu.Lock(); defer b.mu.Unlock(); return b.waiting == n }
	}
	for _, size := range []int64{50, 500} {
		done := make(chan int64)
		go func() { done <- b.take(size) }()
		waitFor("the take to wait", waiting(1))
		select {
		case <-done:
			t.Fatalf("a take of %d went through with 40 of 100 bytes free", size)
		default:
		}
		b.give(first)
		var got int64
		waitFor("the take to go through", func() bool {
			select {
			case got = <-done:
				return true
			default:
				return false
			}
		})
		if want := min(size, 100); got != want {
			t.Fatalf("a take of %d took %d, want %d", size, got, want)
		}
		b.give(got)
		first = b.take(60)
	}
}
