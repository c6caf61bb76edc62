package casebook

import (
	"errors"
	"testing"

	"difesa.org/difesa/internal/bundle"
)

// TestSyncThenReopen: a first sync takes in every report, decrypted; a
// reopened desk shows them from its vault and a sync downloads nothing.
func TestSyncThenReopen(t *testing.T) {
	f := newFixture(t)
	id1, keys := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "police raided the office\nsecond line", Where: "Town"}, map[string][]byte{"photo.png": pngBytes}, false)
	f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "a second report"}, nil, true)
	fu := f.followup(t, keys, "more about the raid")

	b := f.open(t)
	syncAll(t, b)
	if n := f.downloads.Load(); n != 3 {
		t.Fatalf("first sync downloaded %d ciphertexts, want 3", n)
	}
	p := mustInbox(t, b, Filter{})
	if p.Total != 2 || len(p.Items) != 2 {
		t.Fatalf("inbox has %d cases (%d items), want 2: %+v", p.Total, len(p.Items), p.Items)
	}
	c, err := b.Case(demoHub, id1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Narrative != "police raided the office\nsecond line" || c.Subject != "police raided the office" || len(c.Thread) != 1 || c.Thread[0].ID != fu || c.Followups != 1 {
		t.Fatalf("case = %+v", c)
	}
	if len(c.Attachments) != 1 || c.Attachments[0].Name != "photo.png" || !c.Attachments[0].Image || c.Attachments[0].SHA256 == "" {
		t.Fatalf("attachments = %+v", c.Attachments)
	}
	b.Close()

	b = f.open(t)
	p2 := mustInbox(t, b, Filter{})
	if p2.Total != 2 {
		t.Fatalf("reopened inbox has %d cases, want 2", p2.Total)
	}
	syncAll(t, b)
	if n := f.downloads.Load(); n != 3 {
		t.Fatalf("after reopening, %d ciphertexts were downloaded in all, want the first 3 only", n)
	}
	if _, err := b.Case(c.Hub, "aaaaaaaaaaaaaaaaaaaaaaaaaa"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown case: %v, want ErrNotFound", err)
	}
}
