package web_test

// axe-core in Firefox, at the levels where pages run scripts (Standard,
// Safer). At Safest Firefox runs no script of any realm to completion:
// javascript.enabled=false stops promises and timers in the harness's
// sandbox too (TestScriptAwaits in internal/testutil/bidi proves it), and
// axe.run is asynchronous; Safest's pages (scripts never run, <noscript>
// shown, fieldsets disabled) are checked by the Chromium JS-off run of
// TestBrowserAccessibility, which loads them with scripts off and allows
// scripts only for axe. docs/web.md says so.

import (
	"testing"

	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/axe"
	"difesa.org/difesa/internal/testutil/bidi"
)

// ffAxeEval evaluates JavaScript for axe in the tab's sandbox realm (the
// page's Content-Security-Policy and globals stay as they are).
func ffAxeEval(b *bidi.Browser) axe.Eval {
	return func(js string) (string, error) { return b.Script(js, ffWait) }
}

// ffAxe runs axe in every defender page, the not-found page, and the
// codename screen before and after "written down": no serious or critical
// violation.
func ffAxe(t *testing.T, b *bidi.Browser) {
	axe.Source(t) // skip (or fail under CI) before loading anything
	// A server of its own: the report sent for the codename screen must
	// not reach the flows' server, whose tests count submissions.
	srv := testserver.New(t)
	b.SetViewport(ffSizes[1].width, ffSizes[1].height)
	eval := ffAxeEval(b)
	check := func(name string) {
		t.Helper()
		r := axe.Check(t, eval, name+" in Firefox at "+b.Level.String())
		t.Logf("%s: %d rules passed, %d incomplete, %d violations", name, r.Passed, r.Incomplete, len(r.Violations))
	}
	ready := map[string]string{"report": "#fields", "alert": "#fields", "replies": "#code-fields"}
	for _, page := range append(pages, "nothing-here") {
		b.Navigate(srv.HubURL + "/" + page + "?lang=en")
		if sel, ok := ready[page]; ok {
			b.WaitFor(bidi.Enabled(sel), ffWait)
		}
		name := page
		if name == "" {
			name = "home"
		}
		check(name)
	}
	// The codename screen, after the first send to this fresh hub.
	b.Navigate(srv.HubURL + "/report?lang=en")
	b.WaitFor(bidi.Enabled("#narrative"), ffWait)
	b.Type("#narrative", "They follow me home.")
	b.Click("#send")
	b.WaitFor(bidi.Visible("#codename"), ffWait)
	check("codename")
	b.Click("#written")
	b.WaitFor(bidi.Visible("#after"), ffWait)
	check("codename-after")
}
