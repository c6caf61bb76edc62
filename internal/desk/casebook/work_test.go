package casebook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/caseedit"
	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/client"
)

// caseGets counts the case record GETs a desk makes, and fails every
// request while down is set (the hub unreachable).
type caseGets struct {
	rt   http.RoundTripper
	gets atomic.Int64
	down atomic.Bool
}

func (c *caseGets) RoundTrip(r *http.Request) (*http.Response, error) {
	if c.down.Load() {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("the hub is down (test)")}
	}
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/case") {
		c.gets.Add(1)
	}
	return c.rt.RoundTrip(r)
}

// colleagueWrite changes a case record as a colleague's CLI would, with
// the shared edit loop, sealed to the hub's verified recipients.
func colleagueWrite(t testing.TB, c *client.Client, ids []age.Identity, id string, apply func(*caserecord.Record) error) caseedit.Result {
	t.Helper()
	v, err := c.VerifiedRecipients(context.Background(), client.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := caseedit.Write(context.Background(), c, id, ids, v.Recipients, apply)
	if err != nil {
		t.Fatalf("the colleague's write: %v", err)
	}
	return res
}

func colleagueSettings(t testing.TB, c *client.Client, ids []age.Identity, labels, subs []string) {
	t.Helper()
	v, err := c.VerifiedRecipients(context.Background(), client.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := caseedit.WriteHub(context.Background(), c, ids, v.Recipients, func(h *caserecord.Hub) error {
		h.Labels, h.SubStatuses = append(h.Labels, labels...), append(h.SubStatuses, subs...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

const hour = "2026-11-23T12:00:00Z"

// TestWorkSync: the desk takes in the case records and the hub record a
// colleague wrote, fetches only the records whose version changed,
// keeps them in the vault (back after a reopen) and shows them read-only
// when the hub cannot be reached.
func TestWorkSync(t *testing.T) {
	f := newFixture(t)
	a, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "first"}, nil, false)
	bID, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "second"}, nil, false)
	f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "third"}, nil, false)
	col := f.responder(t)
	ids := []age.Identity{f.id}
	colleagueSettings(t, col, ids, []string{"legal", "medical"}, []string{"waiting"})
	colleagueWrite(t, col, ids, a, func(r *caserecord.Record) error {
		r.AddLabel("legal")
		r.Set(caserecord.FieldAssignee, "Demo responder", "Demo responder", hour)
		r.Set(caserecord.FieldFollowUp, "2026-11-23", "Demo responder", hour)
		_, err := r.AddNote("Demo responder", hour, "call the lawyer", "")
		return err
	})
	colleagueWrite(t, col, ids, bID, func(r *caserecord.Record) error { return r.AddLabel("medical") })

	cg := &caseGets{rt: f.hc.Transport}
	o := f.options()
	o.Hubs[0].HTTPClient = &http.Client{Transport: cg}
	b, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	syncAll(t, b)
	if n := cg.gets.Load(); n != 2 {
		t.Fatalf("the first sync fetched %d case records, want 2", n)
	}
	c, err := b.Case(demoHub, a)
	if err != nil {
		t.Fatal(err)
	}
	w := c.Work
	if w.Version != 1 || w.Assignee != "Demo responder" || strings.Join(w.Labels, ",") != "legal" || w.FollowUp != "2026-11-23" ||
		len(w.Notes) != 1 || w.Notes[0].Text != "call the lawyer" || w.Notes[0].Hour != "2026-11-23 12:00" || len(w.History) != 2 {
		t.Fatalf("the case work: %+v", w)
	}
	if strings.Join(w.Addable, ",") != "medical" {
		t.Fatalf("the labels the case can take: %q", w.Addable)
	}
	if c.Due != DueToday || w.Settings.Me != "Demo responder" || strings.Join(w.Settings.Labels, ",") != "legal,medical" ||
		strings.Join(w.Settings.Responders, ",") != "Demo responder" {
		t.Fatalf("due %q, settings %+v", c.Due, w.Settings)
	}
	syncAll(t, b)
	if n := cg.gets.Load(); n != 2 {
		t.Fatalf("a sync with nothing changed fetched %d case records in all, want still 2", n)
	}
	if p := mustInbox(t, b, Filter{Label: "legal"}); p.Total != 1 {
		t.Fatalf("label legal: %d cases, want 1", p.Total)
	}
	// The inbox was listed (its order cached): the change below shows.
	colleagueWrite(t, col, ids, bID, func(r *caserecord.Record) error { return r.AddLabel("legal") })
	syncAll(t, b)
	if n := cg.gets.Load(); n != 3 {
		t.Fatalf("after one change, %d case records fetched in all, want 3", n)
	}
	if p := mustInbox(t, b, Filter{Label: "legal"}); p.Total != 2 {
		t.Fatalf("label legal: %d cases, want 2", p.Total)
	}
	b.Close()

	// Back from the vault, the hub unreachable: the same, read-only.
	cg.down.Store(true)
	b, err = Open(o)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, h := range b.hubs {
		b.contact(h, b.syncHub(context.Background(), h, false))
	}
	c, err = b.Case(demoHub, a)
	if err != nil || c.Work.Assignee != "Demo responder" || len(c.Work.Notes) != 1 {
		t.Fatalf("offline, the case: %+v, %v", c, err)
	}
	if p := mustInbox(t, b, Filter{Assignee: AssigneeMine}); p.Total != 1 || p.Items[0].ID != a {
		t.Fatalf("offline, mine: %+v", p)
	}
	if _, err := b.EditCase(context.Background(), demoHub, a, AddNote("offline")); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("an edit offline: %v, want ErrReadOnly", err)
	}
}

// TestWorkFilters: assignee (a label, mine, unassigned), label and due
// filters, combined with each other, with the status filter and with
// search, and the due counts.
func TestWorkFilters(t *testing.T) {
	f := newFixture(t)
	col := f.responder(t)
	ids := []age.Identity{f.id}
	colleagueSettings(t, col, ids, []string{"legal", "medical"}, nil)
	var cases []string
	for _, n := range []string{"alpha", "bravo", "charlie", "delta"} {
		id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: n}, nil, false)
		cases = append(cases, id)
	}
	set := func(id, assignee, label, followUp string) {
		colleagueWrite(t, col, ids, id, func(r *caserecord.Record) error {
			if label != "" {
				r.AddLabel(label)
			}
			r.Set(caserecord.FieldFollowUp, followUp, "Demo responder", hour)
			return r.Set(caserecord.FieldAssignee, assignee, "Demo responder", hour)
		})
	}
	set(cases[0], "Demo responder", "legal", "2026-11-23") // today (the desk's clock)
	set(cases[1], "Someone else", "legal", "2026-11-01")   // overdue
	set(cases[2], "", "medical", "2026-12-01")             // later
	b := f.open(t)
	syncAll(t, b)
	if err := b.SetStatus(context.Background(), demoHub, cases[0], "closed"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		f      Filter
		search bool
		want   []string
	}{
		{"mine", Filter{Assignee: AssigneeMine}, false, cases[:1]},
		{"a colleague", Filter{Assignee: "Someone else"}, false, cases[1:2]},
		{"unassigned", Filter{Assignee: AssigneeNone}, false, cases[2:]},
		{"label", Filter{Label: "legal"}, false, cases[:2]},
		{"label and assignee", Filter{Label: "legal", Assignee: AssigneeNone}, false, nil},
		{"label and unassigned", Filter{Label: "medical", Assignee: AssigneeNone}, false, cases[2:3]},
		{"due", Filter{Due: true}, false, cases[:2]},
		{"due and status", Filter{Due: true, Status: "new"}, false, cases[1:2]},
		{"label and search", Filter{Label: "legal", Query: "bravo"}, true, cases[1:2]},
		{"assignee and search, no hit", Filter{Assignee: AssigneeMine, Query: "bravo"}, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := b.list(tc.f, tc.search)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, it := range p.Items {
				got[it.ID] = true
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d cases, want %d: %+v", len(got), len(tc.want), p.Items)
			}
			for _, id := range tc.want {
				if !got[id] {
					t.Fatalf("case %s missing: %+v", id, p.Items)
				}
			}
		})
	}
	p := mustInbox(t, b, Filter{})
	if p.Counts.DueToday != 1 || p.Counts.Overdue != 1 {
		t.Fatalf("counts %+v, want 1 due today and 1 overdue", p.Counts)
	}
	// The next day, the first case is overdue too.
	f.clock.Advance(24 * 60 * 60 * 1e9)
	if p := mustInbox(t, b, Filter{}); p.Counts.DueToday != 0 || p.Counts.Overdue != 2 {
		t.Fatalf("the next day, counts %+v, want 2 overdue", p.Counts)
	}
}

// TestWorkTwoDesks: two responders, each with a desk of their own, edit
// the same case at the same time against a real hub: every edit of both
// survives, and a write made stale by the other desk is merged and
// retried (the hub's version count and the number of writes prove it).
func TestWorkTwoDesks(t *testing.T) {
	th := newTeamHub(t)
	id := th.report(t)
	ana, bo := th.desk(t, 0), th.desk(t, 1)
	ctx := context.Background()
	if err := ana.EditSettings(ctx, th.hub, EditList(false, true, "legal")); err != nil {
		t.Fatal(err)
	}
	if err := bo.EditSettings(ctx, th.hub, EditList(false, true, "urgent")); err != nil {
		t.Fatal(err)
	}
	s, _ := bo.Settings(th.hub)
	if strings.Join(s.Labels, ",") != "legal,urgent" || s.Me != "Responder 2" {
		t.Fatalf("settings after both: %+v", s)
	}

	// A stale write: just before Ana's first PUT, Bo writes.
	var raced atomic.Bool
	hook := func(r *http.Request, who int) {
		if who == 0 && r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/case") && raced.CompareAndSwap(false, true) {
			if _, err := bo.EditCase(r.Context(), th.hub, id, AddNote("Bo's note")); err != nil {
				t.Errorf("Bo's edit: %v", err)
			}
		}
	}
	th.before.Store(&hook)
	writes, err := ana.EditCase(ctx, th.hub, id, AddLabel("legal"))
	if err != nil {
		t.Fatal(err)
	}
	th.before.Store(nil)
	if writes != 2 || !raced.Load() {
		t.Fatalf("Ana's edit took %d writes, want 2 (one 409, merged and retried)", writes)
	}

	// Then both at once, several edits each.
	const each = 4
	errs := make(chan error, 2*each)
	for who, b := range []*Book{ana, bo} {
		go func() {
			for i := range each {
				_, err := b.EditCase(ctx, th.hub, id, AddNote(strings.Repeat("ab"[who:who+1], i+1)))
				errs <- err
			}
		}()
	}
	for range 2 * each {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	c := th.responder(t, 0)
	rec, version, err := caseedit.Fetch(ctx, c, id, []age.Identity{th.ids[0]})
	if err != nil {
		t.Fatal(err)
	}
	// 1 (Bo) + 2 (Ana's stale write and its retry... only the retry
	// landed) + 2*each.
	if want := uint64(2 + 2*each); version != want {
		t.Fatalf("the hub's version is %d, want %d", version, want)
	}
	if len(rec.Notes) != 1+2*each || strings.Join(rec.Labels, ",") != "legal" {
		t.Fatalf("the record: %d notes, labels %q", len(rec.Notes), rec.Labels)
	}
	for _, b := range []*Book{ana, bo} {
		syncAll(t, b)
		c, err := b.Case(th.hub, id)
		if err != nil || len(c.Work.Notes) != 1+2*each || c.Work.Version != version {
			t.Fatalf("a desk after sync: %+v, %v", c.Work, err)
		}
	}
}

// TestWorkRefusals: an edit the hub's settings or team do not allow is
// refused with ErrBadEdit and writes nothing.
func TestWorkRefusals(t *testing.T) {
	f := newFixture(t)
	id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "x"}, nil, false)
	b := f.open(t)
	syncAll(t, b)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		edit CaseEdit
	}{
		{"a label outside the hub's set", AddLabel("nope")},
		{"a sub-status outside the hub's", SetSubStatus("nope")},
		{"a stranger as assignee", Assign("Mallory")},
		{"a bad day", SetFollowUp("23/11/2026")},
		{"an empty note", AddNote("")},
		{"a link to a bad id", AddLink(caserecord.LinkDuplicate, "../x")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := b.EditCase(ctx, demoHub, id, tc.edit); !errors.Is(err, ErrBadEdit) {
				t.Fatalf("EditCase: %v, want ErrBadEdit", err)
			}
		})
	}
	if _, v, err := caseedit.Fetch(ctx, f.responder(t), id, []age.Identity{f.id}); err != nil || v != 0 {
		t.Fatalf("after the refusals the hub has version %d (%v), want none", v, err)
	}
}

// TestWorkPurge: purging the copies older than N days forgets their case
// records and keeps the hub's settings; purging everything forgets the
// case records and the settings too.
func TestWorkPurge(t *testing.T) {
	f := newFixture(t)
	old, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "x"}, nil, false)
	b := f.open(t)
	syncAll(t, b) // the settings are fetched now, on the old report's day
	f.clock.Advance(40 * 24 * time.Hour)
	id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "y"}, nil, false)
	syncAll(t, b)
	for _, x := range []string{old, id} {
		if _, err := b.EditCase(context.Background(), demoHub, x, AddNote("a note")); err != nil {
			t.Fatal(err)
		}
	}
	if keys, _ := b.v.Keys(bucketCase + demoHub); len(keys) != 2 {
		t.Fatalf("the vault holds %d case records, want 2", len(keys))
	}
	// 65 days after the first sync, a purge of 30 days forgets the old
	// report and its record, and keeps the settings fetched then.
	f.clock.Advance(25 * 24 * time.Hour)
	if n, err := b.Purge(30); err != nil || n != 1 {
		t.Fatalf("Purge(30) = %d, %v; want 1", n, err)
	}
	if keys, _ := b.v.Keys(bucketCase + demoHub); len(keys) != 1 || keys[0] != id {
		t.Fatalf("after Purge(30) the vault holds the case records %q, want only %s", keys, id)
	}
	if s, _ := b.Settings(demoHub); s.Me != "Demo responder" {
		t.Fatalf("after Purge(30) the settings: %+v", s)
	}
	if c, err := b.Case(demoHub, id); err != nil || len(c.Work.Notes) != 1 {
		t.Fatalf("after Purge(30) the recent case: %+v, %v", c, err)
	}
	if err := b.PurgeAll(); err != nil {
		t.Fatal(err)
	}
	if keys, _ := b.v.Keys(bucketCase + demoHub); len(keys) != 0 {
		t.Fatalf("after the purge the vault holds %d case records", len(keys))
	}
	if s, _ := b.Settings(demoHub); s.Me != "" || s.Version != 0 {
		t.Fatalf("after the purge the settings: %+v", s)
	}
}
