package casebook

import (
	"context"
	"errors"
	"testing"
	"time"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/wire"
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
	// Meanwhile a colleague takes the case: it is listed again, and only
	// its status is new.
	if err := f.responder(t).SetStatus(context.Background(), id1, wire.StatusInProgress); err != nil {
		t.Fatal(err)
	}

	b = f.open(t)
	p2 := mustInbox(t, b, Filter{})
	if p2.Total != 2 {
		t.Fatalf("reopened inbox has %d cases, want 2", p2.Total)
	}
	syncAll(t, b)
	if n := f.downloads.Load(); n != 3 {
		t.Fatalf("after reopening, %d ciphertexts were downloaded in all, want the first 3 only", n)
	}
	if c, _ := b.Case(demoHub, id1); c.Status != wire.StatusInProgress || c.Narrative == "" {
		t.Fatalf("after the colleague's change, the case = %+v", c)
	}
	if _, err := b.Case(c.Hub, "aaaaaaaaaaaaaaaaaaaaaaaaaa"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown case: %v, want ErrNotFound", err)
	}
}

// TestKillResume: a first sync cut short in its second page keeps what it
// took in; reopened, the desk finishes from its cursor: every report once,
// none downloaded twice but those of the page that was cut.
func TestKillResume(t *testing.T) {
	f := newFixture(t)
	const n = 1200 // three pages of the hub's listing
	f.srv.Fill(t, n, testDay)
	b := f.open(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mid HubStatus
	stopAt := func(k int64) {
		if k == 700 {
			mid = b.Status()[0]
			cancel()
		}
	}
	f.tr.on.Store(&stopAt)
	err := b.syncHub(ctx, b.hubs[0], true)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cut sync: %v, want context.Canceled", err)
	}
	f.tr.on.Store(nil)
	if !mid.Syncing || mid.Done != 500 || mid.Total != n {
		t.Fatalf("progress in the middle of the first sync = %+v, want 500 of %d", mid, n)
	}
	b.Close()

	b = f.open(t)
	kept := mustInbox(t, b, Filter{}).Total
	if kept != 500 {
		t.Fatalf("after the cut, the desk kept %d reports, want the first page's 500", kept)
	}
	before := f.downloads.Load()
	syncAll(t, b)
	if st := b.Status()[0]; st.Done != n-500 || st.Total != n-500 || st.Syncing || !st.Online {
		t.Fatalf("progress after resuming = %+v, want %d of %d done", st, n-500, n-500)
	}
	p := mustInbox(t, b, Filter{Limit: maxLimit})
	if p.Total != n {
		t.Fatalf("after resuming, %d reports, want %d", p.Total, n)
	}
	seen := map[string]bool{}
	for off := 0; off < n; off += maxLimit {
		for _, it := range mustInbox(t, b, Filter{Offset: off, Limit: maxLimit}).Items {
			if seen[it.ID] {
				t.Fatalf("report %s listed twice", it.ID)
			}
			seen[it.ID] = true
		}
	}
	if len(seen) != n {
		t.Fatalf("%d distinct reports, want %d", len(seen), n)
	}
	if again := f.downloads.Load() - before; again != n-500 {
		t.Fatalf("resuming downloaded %d, want %d (nothing kept downloaded again)", again, n-500)
	}
}

// TestHubDownReadOnly: when the hub cannot be reached the desk says so,
// reads from its local copy and refuses actions.
func TestHubDownReadOnly(t *testing.T) {
	f := newFixture(t)
	id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "kept while offline"}, nil, false)
	b := f.open(t)
	syncAll(t, b)
	if st := b.Status(); len(st) != 1 || !st[0].Online || st[0].LastSyncHour != "2026-11-23 12:00" {
		t.Fatalf("status after a sync = %+v", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.srv.Instance.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	h := b.hubs[0]
	err := b.syncHub(ctx, h, false)
	b.contact(h, err)
	if err == nil {
		t.Fatal("sync with the hub down succeeded")
	}
	st := b.Status()[0]
	if st.Online || st.Err == "" || st.Syncing {
		t.Fatalf("status with the hub down = %+v", st)
	}
	c, err := b.Case(demoHub, id)
	if err != nil || c.Narrative != "kept while offline" {
		t.Fatalf("reading offline: %v, %+v", err, c)
	}
	if err := b.SetStatus(ctx, demoHub, id, wire.StatusClosed); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("SetStatus offline: %v, want ErrReadOnly", err)
	}
	if err := b.Reply(ctx, demoHub, id, "hello", nil); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Reply offline: %v, want ErrReadOnly", err)
	}
	if err := b.Delete(ctx, demoHub, id); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Delete offline: %v, want ErrReadOnly", err)
	}
	if err := b.MarkRead(demoHub, id); err != nil {
		t.Fatalf("MarkRead offline: %v", err)
	}
}

// TestRunFollowsEvents: with Run, a new report appears through the hub's
// event stream, without asking, and Changes says so.
func TestRunFollowsEvents(t *testing.T) {
	f := newFixture(t)
	b := f.open(t)
	changes, stop := b.Changes()
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	defer func() { cancel(); <-done }()
	// The first sync (of nothing) and the event stream start on their own.
	deadline := time.After(20 * time.Second)
	waitOnline := time.NewTicker(10 * time.Millisecond)
	defer waitOnline.Stop()
	for !b.Status()[0].Online {
		select {
		case <-deadline:
			t.Fatal("the desk never reached the hub")
		case <-waitOnline.C:
		}
	}
	id, _ := f.submit(t, bundle.KindAlert, &bundle.Report{Category: "other", Narrative: "help now"}, nil, false)
	for {
		select {
		case c := <-changes:
			if c.ID == id {
				if !c.Urgent || c.Kind != bundle.KindAlert {
					t.Fatalf("change = %+v, want an urgent alert", c)
				}
				p := mustInbox(t, b, Filter{})
				if p.Total != 1 || p.Items[0].ID != id || !p.Items[0].Urgent {
					t.Fatalf("inbox = %+v", p)
				}
				return
			}
		case <-deadline:
			t.Fatal("the new alert never came")
		}
	}
}
