package casebook

import (
	"testing"
	"time"

	"difesa.org/difesa/internal/wire"
)

// TestSyncDownloadsWhileKeeping checks that a first sync downloads the
// next page while the vault keeps the one before, instead of leaving the
// decrypting workers idle through each commit, and still keeps every
// page.
func TestSyncDownloadsWhileKeeping(t *testing.T) {
	n := wire.DefaultPageSize + 100
	f := newFixture(t)
	fillBundles(t, f, n, 1<<10, testDay)
	nextPage := make(chan struct{})
	on := func(k int64) {
		if k == int64(wire.DefaultPageSize)+1 {
			close(nextPage)
		}
	}
	f.tr.on.Store(&on)
	b := f.open(t)
	first := true
	b.beforeKeep = func() {
		if !first {
			return
		}
		first = false
		select {
		case <-nextPage:
		case <-time.After(20 * time.Second):
			t.Error("the second page was not downloaded while the first was being kept")
		}
	}
	syncAll(t, b)
	if p, err := b.Inbox(Filter{}); err != nil || p.Total != n {
		t.Fatalf("%d cases (%v), want %d", p.Total, err, n)
	}
}
