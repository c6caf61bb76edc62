package desk

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/desk/casebook"
)

// With the hub down the desk says so, still shows its copy, and refuses
// actions with a page that says nothing was changed.
func TestHubDownReadOnlyPages(t *testing.T) {
	f := newHubFixture(t)
	id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "threats", Narrative: "kept while offline"})
	d := f.start(t)
	f.waitFor(t, "the report", func(p casebook.Page) bool { return p.Total == 1 })
	c, csrf := d.session(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.srv.Instance.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	f.waitFor(t, "the desk to notice", func(casebook.Page) bool { st := d.book.Status(); return len(st) == 1 && !st[0].Online })
	if a := d.get(t, c, "/"); !strings.Contains(a.body, "cannot be reached: read-only") || !strings.Contains(a.body, `class="offline"`) {
		t.Fatalf("the inbox does not say the hub is down: %s", a.body)
	}
	if a := d.get(t, c, caseURL(demoHub, id)); a.StatusCode != http.StatusOK || !strings.Contains(a.body, "kept while offline") {
		t.Fatalf("the case offline: %s", a.Status)
	}
	a := d.post(t, c, caseURL(demoHub, id)+"/status", url.Values{"csrf": {csrf}, "status": {"closed"}})
	if a.StatusCode != http.StatusServiceUnavailable || !strings.Contains(a.body, "read-only until it can. Nothing was changed.") {
		t.Fatalf("status offline: %s: %s", a.Status, a.body)
	}
}

// A post that fails answers with a redirect to its error page, never
// with a page the browser would keep with the posted text; the error page
// keeps the status. Its parameters are checked.
func TestPostErrorsAreShownElsewhere(t *testing.T) {
	d := newDesk(t)
	c, csrf := d.session(t)
	req := newRequest(t, "POST", d.Origin()+caseURL("nohub", "noid")+"/reply", strings.NewReader(url.Values{"csrf": {csrf}, "text": {"SECRET-REPLY-CANARY"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", d.Origin())
	req.AddCookie(c)
	a := do(t, req)
	loc := a.Header.Get("Location")
	if a.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/problem?") || strings.Contains(a.body+loc, "SECRET") {
		t.Fatalf("a failed reply: %s %q", a.Status, loc)
	}
	if p := d.get(t, c, loc); p.StatusCode == http.StatusOK || p.StatusCode < 400 || !strings.Contains(p.body, `class="error"`) {
		t.Fatalf("the error page: %s", p.Status)
	}
	for _, q := range []string{"e=../x&s=500", "e=reply&s=200", "e=reply&s=x", ""} {
		if p := d.get(t, c, "/problem?"+q); p.StatusCode != http.StatusBadRequest {
			t.Errorf("/problem?%s: %s", q, p.Status)
		}
	}
}
