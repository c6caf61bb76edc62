package casebook

import (
	"context"
	"reflect"
	"testing"

	"difesa.org/difesa/internal/wire"
)

// TestMarkReadMovesOneCase: reading a case moves that case alone in the
// inbox's order, without rebuilding the order of every case (tens of
// milliseconds at 10,000 cases, paid each time the responder comes back
// from a case), and the order is the one a rebuild gives.
func TestMarkReadMovesOneCase(t *testing.T) {
	movesOneCase(t, func(b *Book, it Item) error { return b.MarkRead(it.Hub, it.ID) })
}

// TestSetStatusMovesOneCase: so does a change of a case's status.
func TestSetStatusMovesOneCase(t *testing.T) {
	movesOneCase(t, func(b *Book, it Item) error {
		return b.SetStatus(context.Background(), it.Hub, it.ID, wire.StatusInProgress)
	})
}

// movesOneCase checks that change, made to cases at several places of
// the inbox, moves each alone to its place in the cached order.
func movesOneCase(t *testing.T, change func(*Book, Item) error) {
	t.Helper()
	f := newFixture(t)
	f.srv.Fill(t, 150, testDay.AddDate(0, 0, -1))
	f.srv.Fill(t, 150, testDay)
	b := f.open(t)
	syncAll(t, b)
	all := Filter{Limit: maxLimit}
	p, err := b.Inbox(all)
	if err != nil || p.Total != 300 {
		t.Fatalf("inbox: %d cases, %v", p.Total, err)
	}
	for _, it := range []Item{p.Items[0], p.Items[150], p.Items[299], p.Items[77]} {
		b.mu.RLock()
		before := map[*listed]bool{}
		for _, r := range b.rowsLocked() {
			before[r] = true
		}
		b.mu.RUnlock()
		if err := change(b, it); err != nil {
			t.Fatal(err)
		}
		got, err := b.Inbox(all)
		if err != nil {
			t.Fatal(err)
		}
		b.mu.RLock()
		kept := 0
		for _, r := range b.rowsLocked() {
			if before[r] {
				kept++
			}
		}
		b.mu.RUnlock()
		if kept != len(before)-1 {
			t.Errorf("changing %s rebuilt the inbox's order: %d of %d rows kept", it.ID, kept, len(before))
		}
		b.cacheMu.Lock()
		b.cache = nil
		b.cacheMu.Unlock()
		want, err := b.Inbox(all)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after changing %s the inbox differs from its rebuilt order", it.ID)
		}
	}
}
