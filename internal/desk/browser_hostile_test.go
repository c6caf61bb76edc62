package desk

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/desk/casebook"
)

// canary is a listener on loopback that hostile content tries to reach.
type canary struct {
	*httptest.Server
	mu   sync.Mutex
	hits []string
}

func newCanary(t *testing.T) *canary {
	c := &canary{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.hits = append(c.hits, r.Method+" "+r.URL.String())
		c.mu.Unlock()
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *canary) seen() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.hits...)
}

// A malicious report — script and markup in every field and file name, an
// SVG and an HTML attachment with script, a polyglot image, a
// decompression bomb — opened in the desk in a real Chromium runs nothing:
// the loopback listener it calls receives nothing, and no dialog opens.
func TestBrowserHostileReport(t *testing.T) {
	b := newBrowser(t)
	cn := newCanary(t)
	p := cn.URL
	evil := func(tag string) string {
		return `<script>fetch("` + p + `/` + tag + `-script");alert("` + tag + `")</script>` +
			`<img src="` + p + `/` + tag + `-img" onerror="alert('` + tag + `')">` +
			`"><svg onload="alert('` + tag + `')"><image href="` + p + `/` + tag + `-svg"/></svg>` +
			`</textarea><iframe src="` + p + `/` + tag + `-iframe"></iframe>` +
			`<meta http-equiv="refresh" content="0;url=` + p + `/` + tag + `-meta">` +
			`<link rel="stylesheet" href="` + p + `/` + tag + `-css"><a href="javascript:alert(1)">x</a>{{.CSRF}}` +
			"\u202e<style>body{background:url(" + p + "/" + tag + "-style)}</style>"
	}
	svg := `<svg xmlns="http://www.w3.org/2000/svg" onload="alert('svg')"><script>fetch("` + p + `/svgfile")</script><image href="` + p + `/svgimage"/></svg>`
	html := `<!doctype html><script>fetch("` + p + `/htmlfile");alert("html")</script><img src="` + p + `/htmlimg">`
	poly := append(pngOf(8, 8), []byte(`<html><script>fetch("`+p+`/polyglot");alert("poly")</script>`)...)

	f := newHubFixture(t)
	id, keys := f.submit(t, bundle.KindReport, &bundle.Report{
		Category: "other", Narrative: evil("narrative"), // the category is checked by the bundle: one of the list When: evil("when"), Where: evil("where"),
		Who: evil("who"), Needs: evil("needs"), Contact: evil("contact"),
	},
		file(`<img src=x onerror="alert('name')">.svg`, []byte(svg)),
		file(`x" onmouseover="alert('name2')" <svg onload=alert(3)>.html`, []byte(html)),
		file(`<script>alert("poly")poly.png`, poly),
		file("bomb.png", bombPNG()),
	)
	f.followup(t, keys, evil("followup"))
	// A colleague's case work, hostile too: the desk treats it as it
	// treats a report.
	evilLabel := `<img src="` + p + `/label" onerror="alert(7)">`
	evilStatus := `<script>fetch("` + p + `/status")</script>`
	evilAssignee := `<svg onload=alert(8)><image href="` + p + `/a"/>`
	f.colleagueWrites(t, "", []string{evilLabel}, nil)
	f.colleagueWrites(t, id, nil, func(r *caserecord.Record) error {
		const hour = "2026-11-23T12:00:00Z"
		if err := r.AddLabel(evilLabel); err != nil {
			return err
		}
		if err := r.Set(caserecord.FieldAssignee, evilAssignee, evilAssignee, hour); err != nil {
			return err
		}
		if err := r.Set(caserecord.FieldSubStatus, evilStatus, evilAssignee, hour); err != nil {
			return err
		}
		if err := r.AddLink(caserecord.LinkDuplicate, id); err != nil {
			return err
		}
		_, err := r.AddNote(evilAssignee, hour, evil("note"), evil("attachment")[:200])
		return err
	})
	d := f.start(t)
	f.waitFor(t, "the report", func(p casebook.Page) bool { return p.Total == 1 && p.Items[0].Followups == 1 })
	cs, err := d.book.Case(demoHub, id)
	if err != nil || len(cs.Attachments) != 4 {
		t.Fatalf("case: %+v %v", cs, err)
	}

	u := caseURL(demoHub, id)
	b.step(t, "open the desk", chromedp.Navigate(d.Address()), chromedp.WaitVisible("#items"))
	b.step(t, "open the case", chromedp.Navigate(d.Origin()+u), chromedp.WaitVisible("#narrative"))
	text := b.eval(t, `document.getElementById("narrative").textContent`)
	if !strings.Contains(text, `<script>fetch("`+p+`/narrative-script")`) {
		t.Fatalf("the narrative is not shown as text: %q", text)
	}
	if n := b.eval(t, `String(document.querySelectorAll("script[src]").length) + " " + document.querySelectorAll("img, iframe, svg, link[href^='http'], style").length`); n != "1 0" {
		t.Fatalf("the case page holds elements from the report: %s", n)
	}
	work := b.eval(t, `document.getElementById("work").innerText`)
	for _, want := range []string{evilLabel, evilAssignee, `<script>fetch("` + p + `/note-script")`} {
		if !strings.Contains(work, want) {
			t.Fatalf("the case work does not show %q as text: %s", want, work)
		}
	}
	b.step(t, "the inbox with the case work", chromedp.Navigate(d.Origin()+"/"), chromedp.WaitVisible("#items"))
	if n := b.eval(t, `String(document.querySelectorAll("script[src]").length) + " " + document.querySelectorAll("img, iframe, svg, link[href^='http'], style").length`); n != "1 0" {
		t.Fatalf("the inbox holds elements from the case work: %s", n)
	}
	if s := b.eval(t, `document.getElementById("items").innerText + document.getElementById("f-label").innerText`); strings.Count(s, evilLabel) != 2 {
		t.Fatalf("the inbox does not show the label as text: %s", s)
	}
	b.step(t, "the settings page", chromedp.Navigate(d.Origin()+"/settings"), chromedp.WaitVisible("main"))
	b.step(t, "search", chromedp.Navigate(d.Origin()+"/search"), chromedp.WaitVisible("#q"), chromedp.SendKeys("#q", "script"),
		chromedp.Click("form.filters button"), chromedp.WaitVisible("#items"))
	b.step(t, "delete page", chromedp.Navigate(d.Origin()+u+"/delete"), chromedp.WaitVisible("footer"))
	// Every file and every preview, opened directly in the tab.
	downloads := 0
	for _, a := range cs.Attachments {
		n := strconv.Itoa(a.N)
		// A download aborts the navigation: the tab stays on the case.
		b.eval(t, `location.assign("`+u+`/file/`+n+`"), "asked"`)
		b.download(t)
		downloads++
		b.step(t, "preview "+n, chromedp.Navigate(d.Origin()+u+"/preview/"+n), chromedp.WaitReady("body"))
	}
	b.step(t, "back to the case", chromedp.Navigate(d.Origin()+u), chromedp.WaitVisible("#narrative"))
	if s := b.eval(t, `typeof window.__pwned + " " + location.origin`); s != "undefined "+d.Origin() {
		t.Fatalf("the page is now %s", s)
	}
	if hits := cn.seen(); len(hits) != 0 {
		t.Fatalf("the report reached the listener: %q", hits)
	}
	if dl := b.dialogsSeen(); len(dl) != 0 {
		t.Fatalf("dialogs opened: %q", dl)
	}
	if downloads != 4 {
		t.Fatalf("%d downloads", downloads)
	}
}
