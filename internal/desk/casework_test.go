package desk

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/caseedit"
	"difesa.org/difesa/internal/desk/casebook"
)

// The case-work forms through the pages, as the browser posts them:
// each change lands at the hub, shows on the case, filters the inbox;
// malformed forms are refused and change nothing; the settings page
// changes the hub's label set.
func TestCaseWorkThroughPages(t *testing.T) {
	f := newHubFixture(t)
	one, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "first"})
	two, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "second"})
	d := f.start(t)
	f.waitFor(t, "the cases", func(p casebook.Page) bool { return p.Total == 2 })
	waitSettings(t, f, func(s casebook.Settings) bool { return s.Me != "" })
	c, csrf := d.session(t)

	if a := d.get(t, c, "/settings"); a.StatusCode != http.StatusOK || !strings.Contains(a.body, `action="/settings/`+demoHub+`"`) {
		t.Fatalf("the settings page: %s: %s", a.Status, a.body)
	}
	for _, op := range []url.Values{
		{"op": {"label_add"}, "name": {"legal"}},
		{"op": {"label_add"}, "name": {"<b>x</b>"}},
		{"op": {"sub_status_add"}, "name": {"waiting"}},
	} {
		op.Set("csrf", csrf)
		if a := d.post(t, c, "/settings/"+demoHub, op); a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != "/settings?done=settings" {
			t.Fatalf("settings %v: %s %s", op, a.Status, a.body)
		}
	}
	u := caseURL(demoHub, one)
	post := func(form url.Values) answer {
		t.Helper()
		form.Set("csrf", csrf)
		return d.post(t, c, u+"/work", form)
	}
	for _, form := range []url.Values{
		{"op": {"assign"}, "to": {"mine"}},
		{"op": {"label_add"}, "label": {"legal"}},
		{"op": {"label_add"}, "label": {"<b>x</b>"}},
		{"op": {"sub_status"}, "sub_status": {"waiting"}},
		{"op": {"follow_up"}, "follow_up": {"2026-11-23"}},
		{"op": {"note"}, "text": {"<script>alert(1)</script> a note"}},
		{"op": {"link_add"}, "kind": {"duplicate"}, "target": {two}},
	} {
		if a := post(form); a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != u+"?done=work" {
			t.Fatalf("%v: %s %s", form, a.Status, a.body)
		}
	}
	for _, bad := range []struct {
		form url.Values
		code int
	}{
		{url.Values{"op": {"nope"}}, http.StatusBadRequest},
		{url.Values{"op": {"note"}, "text": {"  "}}, http.StatusBadRequest},
		{url.Values{"op": {"note"}, "text": {strings.Repeat("x", 9000)}}, http.StatusBadRequest},
		{url.Values{"op": {"follow_up"}, "follow_up": {"tomorrow"}}, http.StatusBadRequest},
		{url.Values{"op": {"link_add"}, "kind": {"friend"}, "target": {two}}, http.StatusBadRequest},
		{url.Values{"op": {"label_add"}, "label": {"not in the set"}}, http.StatusBadRequest},
		{url.Values{"op": {"assign"}, "to": {"Mallory"}}, http.StatusBadRequest},
	} {
		if a := post(bad.form); a.StatusCode != bad.code {
			t.Errorf("%v: %s, want %d", bad.form, a.Status, bad.code)
		}
	}
	a := d.get(t, c, u)
	for _, want := range []string{"legal", "waiting", "Follow-up due today.", html.EscapeString("<script>alert(1)</script> a note"), html.EscapeString("<b>x</b>"), `href="` + caseURL(demoHub, two) + `"`, "Demo responder, 2026-11-23 12:00 UTC"} {
		if !strings.Contains(a.body, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}
	if strings.Contains(a.body, "<script>alert(1)") || strings.Contains(a.body, "<b>x</b>") {
		t.Fatal("the case page holds the note's or label's markup unescaped")
	}
	for q, want := range map[string]int{
		"/?label=legal":               1,
		"/?assignee=mine":             1,
		"/?assignee=unassigned":       1,
		"/?due=1":                     1,
		"/?due=1&assignee=unassigned": 0,
		"/?label=legal&status=new":    1,
		"/?label=legal&status=closed": 0,
		"/?assignee=Demo+responder":   1,
	} {
		p := d.get(t, c, q)
		if n := strings.Count(p.body, `<li class="item`); n != want || p.StatusCode != http.StatusOK {
			t.Errorf("%s: %d cases (%s), want %d", q, n, p.Status, want)
		}
	}
	for q, want := range map[string]int{"first": 1, "second": 0} {
		a := d.post(t, c, "/search", url.Values{"csrf": {csrf}, "q": {q}, "label": {"legal"}, "assignee": {"mine"}, "due": {"1"}})
		if a.StatusCode != http.StatusSeeOther {
			t.Fatalf("search %s: %s", q, a.Status)
		}
		p := d.get(t, c, a.Header.Get("Location"))
		if n := strings.Count(p.body, `<li class="item`); n != want {
			t.Errorf("search %q with the case-work filters: %d cases, want %d", q, n, want)
		}
	}
	if a := d.get(t, c, "/?due=yes"); a.StatusCode != http.StatusBadRequest {
		t.Errorf("due=yes: %s", a.Status)
	}
	cl := f.defender(t)
	if err := cl.Login(context.Background(), f.id); err != nil {
		t.Fatal(err)
	}
	rec, version, err := caseedit.Fetch(context.Background(), cl, one, []age.Identity{f.id})
	if err != nil || version != 7 || len(rec.Labels) != 2 || len(rec.Notes) != 1 || rec.SubStatus != "waiting" {
		t.Fatalf("at the hub: version %d, %+v, %v", version, rec, err)
	}
}

// The case-work forms are state-changing like the desk's other actions:
// refused from another origin or without the session's CSRF token, and
// nothing reaches the hub.
func TestCaseWorkCSRF(t *testing.T) {
	f := newHubFixture(t)
	one, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "first"})
	d := f.start(t)
	f.waitFor(t, "the case", func(p casebook.Page) bool { return p.Total == 1 })
	c, csrf := d.session(t)
	for _, path := range []string{caseURL(demoHub, one) + "/work", "/settings/" + demoHub} {
		form := url.Values{"op": {"note"}, "text": {"x"}, "name": {"x"}}
		if a := d.post(t, c, path, form); a.StatusCode != http.StatusForbidden {
			t.Errorf("%s without the token: %s", path, a.Status)
		}
		form.Set("csrf", csrf)
		req := newRequest(t, "POST", d.Origin()+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://evil.example")
		req.AddCookie(c)
		if a := do(t, req); a.StatusCode != http.StatusForbidden {
			t.Errorf("%s from another origin: %s", path, a.Status)
		}
	}
	cl := f.defender(t)
	if err := cl.Login(context.Background(), f.id); err != nil {
		t.Fatal(err)
	}
	if _, v, err := caseedit.Fetch(context.Background(), cl, one, []age.Identity{f.id}); err != nil || v != 0 {
		t.Fatalf("the hub has version %d (%v), want none", v, err)
	}
	if _, v, err := caseedit.FetchHub(context.Background(), cl, []age.Identity{f.id}); err != nil || v != 0 {
		t.Fatalf("the hub record has version %d (%v), want none", v, err)
	}
}
