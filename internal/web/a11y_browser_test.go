package web_test

// Accessibility in Chromium: axe-core in every page, with JavaScript on
// and off (as at Tor Browser's Safest level), in two languages and both
// colour schemes. The keyboard-only report flow is in
// a11y_keyboard_browser_test.go.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/axe"
)

// cdpEval evaluates JavaScript in the tab of ctx for [axe.Run], waiting
// for a promise's value.
func cdpEval(ctx context.Context) axe.Eval {
	return func(js string) (string, error) {
		c, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		return chromedp.Run(c, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	}
}

// a11yPages are the pages axe checks: every page a defender reaches by
// address, and the server's root page. The pages that encrypt wait, with
// JavaScript, for the script to enable their form.
var a11yPages = []struct {
	name, path string
	ready      string // with JavaScript on
}{
	{"home", "/hubs/demo/", "footer"},
	{"report", "/hubs/demo/report", "#fields:enabled"},
	{"alert", "/hubs/demo/alert", "#fields:enabled"},
	{"replies", "/hubs/demo/replies", "#code-fields:enabled"},
	{"verify", "/hubs/demo/verify", "footer"},
	{"checkin", "/hubs/demo/checkin", "footer"},
	{"checkin-start", "/hubs/demo/checkin/start", "footer"},
	{"checkin-stop", "/hubs/demo/checkin/stop", "footer"},
	{"upload", "/hubs/demo/upload", "footer"},
	{"news", "/hubs/demo/news", "article.bulletin"},
	{"form", "/hubs/demo/forms/safety", "#fields:enabled"},
	{"root", "/", "footer"},
	{"notfound", "/hubs/demo/nothing-here", "footer"},
	{"nohub", "/hubs/nohub/report", "body"}, // a browser gets a page, not JSON
}

// TestBrowserAccessibility runs axe-core in every page, with JavaScript on
// and off, in English and Slovenian (the site has no right-to-left
// language), in the light and the dark colour scheme, and in the pages a
// flow leads to: the answers of the no-JavaScript forms (good and bad),
// the codename screen after a report, and an opened thread of replies. No
// serious or critical violation is allowed.
func TestBrowserAccessibility(t *testing.T) {
	axe.Source(t) // skip (or fail under CI) before starting anything
	srv := testserver.New(t)
	publishBulletin(t, srv, demoAdminKey(t, srv), testserver.NewAlert("difesa-demo", "demo-2026-001", "Alert"))
	publishForm(t, srv)
	for _, c := range []struct {
		lang, scheme string
		js           bool
	}{
		{"en", "light", true}, {"en", "light", false},
		{"sl", "light", true}, {"sl", "light", false},
		{"en", "dark", true}, {"sl", "dark", false},
	} {
		js := map[bool]string{true: "js", false: "nojs"}[c.js]
		t.Run(c.lang+"-"+c.scheme+"-"+js, func(t *testing.T) {
			ctx := newBrowser(t)
			scripts := func(disabled bool) {
				t.Helper()
				if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: disabled}); err != nil {
					t.Fatal(err)
				}
			}
			if !c.js {
				scripts(true)
			}
			if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: c.scheme}},
			}); err != nil {
				t.Fatal(err)
			}
			eval := cdpEval(ctx)
			check := func(page string) {
				t.Helper()
				if !c.js {
					// axe's own timers need scripts: allow them once the
					// page has loaded without, and check that the page is
					// still as it was loaded (its script never ran, its
					// <noscript> shows).
					scripts(false)
					defer scripts(true)
					if s, err := eval(`String(!document.querySelector("noscript") || document.querySelector("section.nojs")?.checkVisibility() === true)`); err != nil || s != "true" {
						t.Fatalf("%s: the page changed when scripts were allowed for axe (%q, %v)", page, s, err)
					}
				}
				r := axe.Check(t, eval, page)
				lang, err := eval(`document.documentElement.lang`)
				if err != nil || lang != c.lang {
					t.Errorf("%s: <html lang=%q> (%v), want %q", page, lang, err, c.lang)
				}
				t.Logf("%s: %d rules passed, %d incomplete, %d violations", page, r.Passed, r.Incomplete, len(r.Violations))
			}
			for _, p := range a11yPages {
				ready := p.ready
				if !c.js && ready != "body" {
					ready = "footer"
				}
				step(t, ctx, p.name, chromedp.Navigate(fmt.Sprintf("%s%s?lang=%s", srv.URL, p.path, c.lang)), chromedp.WaitReady(ready))
				check(p.name)
			}

			// The answers of the forms that work without JavaScript.
			step(t, ctx, "check-in refused",
				chromedp.Navigate(srv.HubURL+"/checkin?lang="+c.lang),
				chromedp.SendKeys("#code", "not-a-code"),
				chromedp.Submit("#code"),
				chromedp.WaitVisible(`main p[role="alert"]`),
			)
			check("checkin-result")
			step(t, ctx, "upload refused",
				chromedp.Navigate(srv.HubURL+"/upload?lang="+c.lang),
				chromedp.SetUploadFiles("#file", []string{plainFile(t)}),
				chromedp.Submit("#file"),
				chromedp.WaitVisible("p.error"),
			)
			check("upload-refused")
			step(t, ctx, "upload accepted",
				chromedp.Navigate(srv.HubURL+"/upload?lang="+c.lang),
				chromedp.SetUploadFiles("#file", []string{ageFile(t, srv)}),
				chromedp.Submit("#file"),
				chromedp.WaitVisible("p.ok"),
			)
			check("upload-accepted")
			if !c.js {
				return
			}

			// The codename screen after a report, then the thread it opens.
			step(t, ctx, "report",
				chromedp.Navigate(srv.HubURL+"/report?lang="+c.lang),
				chromedp.WaitEnabled("#narrative"),
				chromedp.SendKeys("#narrative", "They follow me home."),
				chromedp.Click("#send"),
				chromedp.WaitVisible("#codename"),
			)
			check("codename")
			code := text(t, ctx, "#codename")
			step(t, ctx, "codename written", chromedp.Click("#written"), chromedp.WaitVisible("#after"))
			check("codename-after")
			step(t, ctx, "replies",
				chromedp.Navigate(srv.HubURL+"/replies?lang="+c.lang),
				chromedp.WaitEnabled("#code"),
				chromedp.SendKeys("#code", code),
				chromedp.Click("#open button"), // the script's submit handler, not a plain post
				chromedp.WaitVisible("#thread"),
			)
			check("thread")
		})
	}
}

// plainFile writes a file that is not age ciphertext, which the upload
// form refuses.
func plainFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "report.txt")
	if err := os.WriteFile(p, []byte("never upload this"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// ageFile writes a report encrypted offline to the hub's recipients.txt,
// as the upload page tells a defender without JavaScript to do.
func ageFile(t *testing.T, srv *testserver.Server) string {
	rcpts, err := age.ParseRecipients(strings.NewReader(get(t, srv.HubURL+"/recipients.txt").body))
	if err != nil {
		t.Fatal(err)
	}
	var rep bytes.Buffer
	bundle.Write(&rep, bundle.NewEnvelope("report", "en", timeNow()), &bundle.Report{Category: "other", Narrative: "encrypted offline"}, nil)
	p := filepath.Join(t.TempDir(), "report.age")
	if err := os.WriteFile(p, encrypt(t, rep.Bytes(), false, rcpts...), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
