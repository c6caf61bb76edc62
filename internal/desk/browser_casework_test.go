package desk

import (
	"context"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/caseedit"
	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/desk/casebook"
)

// colleagueWrites changes a case record (and, with labels, the hub's
// label set) as a colleague's CLI would, through the shared edit loop.
func (f *hubFixture) colleagueWrites(t *testing.T, id string, labels []string, apply func(*caserecord.Record) error) {
	t.Helper()
	ctx := context.Background()
	c := f.defender(t)
	if err := c.Login(ctx, f.id); err != nil {
		t.Fatal(err)
	}
	v, err := c.VerifiedRecipients(ctx, client.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	ids := []age.Identity{f.id}
	if len(labels) > 0 {
		if _, _, _, err := caseedit.WriteHub(ctx, c, ids, v.Recipients, func(h *caserecord.Hub) error {
			h.Labels = append(h.Labels, labels...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if id != "" {
		if _, err := caseedit.Write(ctx, c, id, ids, v.Recipients, apply); err != nil {
			t.Fatal(err)
		}
	}
}

// The case work of a responder in a real Chromium: add a label to the
// hub's set on the settings page, then on a case assign it to themself,
// label it, write a note, set a follow-up due today and link it to
// another case (the link opens it); the inbox shows it due today and
// filters it by label and assignee; the case shows its history. Every
// change is at the hub, next to a colleague's made meanwhile.
func TestBrowserCaseWork(t *testing.T) {
	b := newBrowser(t)
	f := newHubFixture(t)
	one, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "surveillance", Narrative: "A grey car again."})
	two, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "surveillance", Narrative: "The same car, at my office."})
	f.submit(t, bundle.KindReport, &bundle.Report{Category: "threats", Narrative: "Another matter."})
	f.colleagueWrites(t, "", []string{"medical"}, nil)
	d := f.start(t)
	f.waitFor(t, "the cases", func(p casebook.Page) bool { return p.Total == 3 })
	waitSettings(t, f, func(s casebook.Settings) bool { return s.Me != "" && len(s.Labels) == 1 })

	b.step(t, "open the desk", chromedp.Navigate(d.Address()), chromedp.WaitVisible("#items"))
	b.step(t, "settings", chromedp.Click(`a[href="/settings"]`), chromedp.WaitVisible(`#label-`+demoHub))
	b.step(t, "add a label", chromedp.SendKeys(`#label-`+demoHub, "legal"), chromedp.Click(`#label-`+demoHub+` ~ button`), chromedp.WaitVisible("main p.ok"))
	if s := b.eval(t, `document.querySelector("main").innerText`); !strings.Contains(s, "legal") || !strings.Contains(s, "medical") {
		t.Fatalf("the settings page: %s", s)
	}

	u := caseURL(demoHub, one)
	b.step(t, "open the case", chromedp.Navigate(d.Origin()+u), chromedp.WaitVisible("#work"))
	b.step(t, "assign to me", chromedp.SetValue("#work-assignee", "mine"), chromedp.Click("form.work-assign button"), chromedp.WaitVisible("main p.ok"))
	b.step(t, "label", chromedp.SetValue("#work-label", "legal"), chromedp.Click("form.work-label button"), chromedp.WaitVisible("#work-labels"))
	// A colleague writes a note meanwhile, from their own computer: it
	// stays next to the desk's (TestWorkTwoDesks in casebook proves the
	// merge after a 409).
	f.colleagueWrites(t, one, nil, func(r *caserecord.Record) error {
		_, err := r.AddNote("Demo responder", "2026-11-23T12:00:00Z", "the colleague's note", "")
		return err
	})
	b.step(t, "note", chromedp.SendKeys("#work-note", "Called the lawyer; she takes it."), chromedp.Click("form.work-note button"), chromedp.WaitVisible("#work-notes"))
	b.step(t, "follow-up", chromedp.SetValue("#work-followup", "2026-11-23"), chromedp.Click("form.work-followup button"), chromedp.WaitVisible("#work-due"))
	b.step(t, "link", chromedp.SetValue("#work-link-kind", "same_incident"), chromedp.SendKeys("#work-link-target", two),
		chromedp.Click("form.work-link button"), chromedp.WaitVisible("#work-links"))
	page := b.eval(t, `document.getElementById("work").innerText`)
	for _, want := range []string{"Called the lawyer; she takes it.", "the colleague's note", "Demo responder, 2026-11-23 12:00 UTC", "legal", "Follow-up due today.", "same incident as", two} {
		if !strings.Contains(page, want) {
			t.Fatalf("the case work lacks %q: %s", want, page)
		}
	}
	shot := b.screenshot(t, "desk-casework")
	hist := b.eval(t, `document.getElementById("work-history").innerText`)
	if !strings.Contains(hist, "assignee") || !strings.Contains(hist, "follow-up day") || !strings.Contains(hist, "Demo responder") {
		t.Fatalf("the history: %s", hist)
	}
	b.step(t, "the link opens the other case", chromedp.Click(`#work-links a[href="`+caseURL(demoHub, two)+`"]`), chromedp.WaitVisible("#narrative"))
	if s := b.eval(t, `document.getElementById("narrative").textContent`); s != "The same car, at my office." {
		t.Fatalf("the link opened %q", s)
	}

	b.step(t, "inbox", chromedp.Navigate(d.Origin()+"/"), chromedp.WaitVisible("#items"))
	if s := b.eval(t, `document.getElementById("count-due").textContent`); s != "Follow-up due today: 1, overdue: 0" {
		t.Fatalf("the due count: %q", s)
	}
	b.submitAndWait(t, "filter", chromedp.SetValue("#f-label", "legal"), chromedp.SetValue("#f-assignee", "mine"),
		chromedp.Click("form.filters button"))
	if n := b.eval(t, `String(document.querySelectorAll("#items li.item").length) + " " + document.querySelector("#items a").getAttribute("href")`); n != "1 "+u {
		t.Fatalf("filtered by label and assignee: %s", n)
	}
	if s := b.eval(t, `document.querySelector("#items li.item").innerText`); !strings.Contains(s, "assigned to Demo responder") || !strings.Contains(s, "due today") {
		t.Fatalf("the item: %s", s)
	}
	b.submitAndWait(t, "filter: unassigned", chromedp.SetValue("#f-assignee", "unassigned"), chromedp.SetValue("#f-label", ""),
		chromedp.Click("form.filters button"))
	if n := b.eval(t, `String(document.querySelectorAll("#items li.item").length)`); n != "2" {
		t.Fatalf("unassigned: %s cases at %s", n, b.eval(t, `location.href`))
	}

	// At the hub: one record, both notes, 6 writes (assign, label, the
	// colleague's note, the note, follow-up, link).
	c := f.defender(t)
	if err := c.Login(context.Background(), f.id); err != nil {
		t.Fatal(err)
	}
	rec, version, err := caseedit.Fetch(context.Background(), c, one, []age.Identity{f.id})
	if err != nil {
		t.Fatal(err)
	}
	if version != 6 || len(rec.Notes) != 2 || rec.Assignee != "Demo responder" || rec.FollowUp != "2026-11-23" || len(rec.Links) != 1 {
		t.Fatalf("at the hub, version %d: %+v", version, rec)
	}
	if len(b.dialogsSeen()) != 0 {
		t.Fatalf("dialogs: %q", b.dialogsSeen())
	}
	writeDocShot(t, "casework.png", shot)
}

// submitAndWait runs actions that leave the page (a form's submission)
// and waits, for at most a minute, until the next page has loaded: the
// old page is marked, and the tab is asked until it shows an unmarked,
// loaded document.
func (b *browserTab) submitAndWait(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	b.eval(t, `window.__oldPage = "old"`)
	b.step(t, what, actions...)
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		c, stop := context.WithTimeout(ctx, 5*time.Second)
		s, err := chromedp.Run(c, chromedp.Evaluate[string](`(window.__oldPage || "new") + " " + document.readyState`))
		stop()
		if err == nil && s == "new complete" {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: the next page did not load (%q, %v)", what, s, err)
		case <-tick.C:
		}
	}
}

// waitSettings syncs until the hub's case settings satisfy cond.
func waitSettings(t *testing.T, f *hubFixture, cond func(casebook.Settings) bool) {
	t.Helper()
	f.waitFor(t, "the case settings", func(casebook.Page) bool {
		s, err := f.desk.book.Settings(demoHub)
		return err == nil && cond(s)
	})
}
