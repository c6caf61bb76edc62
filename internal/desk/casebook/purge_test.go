package casebook

import (
	"testing"
	"time"

	"difesa.org/difesa/internal/bundle"
)

// TestPurge: purging forgets the local copy of old cases, says how much
// is left, and does not download them again; PurgeAll forgets the rest.
func TestPurge(t *testing.T) {
	f := newFixture(t)
	f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "old"}, nil, true)
	b := f.open(t)
	syncAll(t, b)
	f.clock.Advance(10 * 24 * time.Hour)
	recent, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "recent"}, nil, true)
	syncAll(t, b)
	full, err := b.Usage()
	if err != nil || full.Records == 0 || full.Bytes == 0 {
		t.Fatalf("Usage = %+v, %v", full, err)
	}
	n, err := b.Purge(5)
	if err != nil || n != 1 {
		t.Fatalf("Purge(5) = %d, %v; want 1", n, err)
	}
	p := mustInbox(t, b, Filter{})
	if p.Total != 1 || p.Items[0].ID != recent {
		t.Fatalf("after the purge, inbox = %+v", p.Items)
	}
	less, _ := b.Usage()
	if less.Records >= full.Records || less.Bytes >= full.Bytes {
		t.Fatalf("usage %+v → %+v", full, less)
	}
	downloads := f.downloads.Load()
	b.Close()
	b = f.open(t)
	syncAll(t, b)
	if got := f.downloads.Load(); got != downloads || mustInbox(t, b, Filter{}).Total != 1 {
		t.Fatalf("after the purge and a sync: %d downloads (want %d), %d cases", got-downloads, 0, mustInbox(t, b, Filter{}).Total)
	}
	if err := b.PurgeAll(); err != nil {
		t.Fatal(err)
	}
	if p := mustInbox(t, b, Filter{}); p.Total != 0 {
		t.Fatalf("after PurgeAll, %d cases", p.Total)
	}
	u, _ := b.Usage()
	if u.Records > 1 {
		t.Fatalf("after PurgeAll the desk holds %d records, want the cursor only", u.Records)
	}
	if _, err := b.Purge(-1); err == nil {
		t.Fatal("Purge(-1) accepted")
	}
	b.Close()
	b = f.open(t) // the new data key opens
	syncAll(t, b)
	if got := f.downloads.Load(); got != downloads {
		t.Fatalf("after PurgeAll, a sync downloaded %d again", got-downloads)
	}
}
