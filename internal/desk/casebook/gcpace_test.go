package casebook

import (
	"context"
	"runtime/debug"
	"sync"
	"testing"
)

// gcPercentNow reads the collector's target.
func gcPercentNow() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// setGCPercent sets the collector's target for the test.
func setGCPercent(t *testing.T, p int) {
	t.Helper()
	prev := debug.SetGCPercent(p)
	t.Cleanup(func() { debug.SetGCPercent(prev) })
}

// TestLargeSyncPacesGC: while a sync takes in many submissions the
// collector's target is raised, then put back; a small sync leaves it.
func TestLargeSyncPacesGC(t *testing.T) {
	setGCPercent(t, 100)
	f := newFixture(t)
	f.srv.Fill(t, bigSync+200, testDay)
	b := f.open(t)
	var mu sync.Mutex
	var during []int
	b.beforeKeep = func() {
		mu.Lock()
		during = append(during, gcPercentNow())
		mu.Unlock()
	}
	if err := b.syncHub(context.Background(), b.hubs[0], true); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := during
	during = nil
	mu.Unlock()
	if len(got) < 3 {
		t.Fatalf("%d pages kept, want 3", len(got))
	}
	// The first page is kept before the pace follows it; the others after.
	for _, p := range got[1:] {
		if p <= 100 {
			t.Fatalf("targets while the large sync ran: %v, want above 100", got)
		}
	}
	if p := gcPercentNow(); p != 100 {
		t.Fatalf("target after the large sync: %d, want 100 back", p)
	}

	f.srv.Fill(t, 3, testDay)
	if err := b.syncHub(context.Background(), b.hubs[0], false); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range during {
		if p != 100 {
			t.Fatalf("targets while a small sync ran: %v, want 100", during)
		}
	}
}

// TestPaceGCLeavesUsersTarget: a target set at or above the raised one,
// or the collector turned off, is left as it is.
func TestPaceGCLeavesUsersTarget(t *testing.T) {
	for _, user := range []int{gcPercent, 400, -1} {
		setGCPercent(t, user)
		page, end := paceGC(10 * bigSync)
		page()
		if p := gcPercentNow(); p != user {
			t.Fatalf("user's target %d became %d during a large sync", user, p)
		}
		end()
		if p := gcPercentNow(); p != user {
			t.Fatalf("user's target %d became %d after a large sync", user, p)
		}
	}
}

// TestPaceGCShared: two large syncs at once share the raise; the target
// comes back when the last one ends.
func TestPaceGCShared(t *testing.T) {
	setGCPercent(t, 100)
	_, end1 := paceGC(bigSync)
	_, end2 := paceGC(bigSync)
	end1()
	end1() // twice: once only
	if p := gcPercentNow(); p <= 100 {
		t.Fatalf("target %d while a large sync still runs, want it raised", p)
	}
	end2()
	if p := gcPercentNow(); p != 100 {
		t.Fatalf("target %d after both ended, want 100", p)
	}
}

func TestGCTarget(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		prev int
		want int
	}{
		{0, 100, gcPercent},
		{10 << 20, 100, gcPercent},
		{128 << 20, 100, gcPercent}, // adds 256 MiB: the bound
		{256 << 20, 100, 200},
		{1 << 30, 100, 125},
		{64 << 30, 100, 100},
		{10 << 20, 50, gcPercent},
		{1 << 30, 50, 75},
	} {
		if got := gcTarget(tc.live, tc.prev); got != tc.want {
			t.Errorf("gcTarget(%d MiB, %d) = %d, want %d", tc.live>>20, tc.prev, got, tc.want)
		}
	}
}
