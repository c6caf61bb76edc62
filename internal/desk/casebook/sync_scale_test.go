package casebook

import (
	"testing"

	"difesa.org/difesa/internal/wire"
)

// TestFirstSyncGroupsCasesOncePerPage checks that a first sync groups the
// cases of what it took in once per page, not once per submission: with
// n reports that made n²/2 steps (a sixth of a first sync's CPU at 10,000
// reports).
func TestFirstSyncGroupsCasesOncePerPage(t *testing.T) {
	const n = 1200
	f := newFixture(t)
	fillBundles(t, f, n, 1<<10, testDay)
	b := f.open(t)
	syncAll(t, b)
	p, err := b.Inbox(Filter{})
	if err != nil || p.Total != n {
		t.Fatalf("%d cases (%v), want %d", p.Total, err, n)
	}
	b.mu.RLock()
	grouped := b.models[b.hubs[0].id].grouped.Load()
	b.mu.RUnlock()
	pages := (n + wire.DefaultPageSize - 1) / wire.DefaultPageSize
	if limit := int64(pages * n); grouped > limit {
		t.Errorf("the first sync of %d reports visited %d submissions to group cases, want at most %d (one pass per page of %d)", n, grouped, limit, wire.DefaultPageSize)
	}
}
