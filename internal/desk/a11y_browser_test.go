package desk

import (
	"testing"

	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/testutil/axe"
)

// axe-core finds no serious or critical violation in any page of the
// desk, in English and in Slovenian.
func TestBrowserDeskAccessibility(t *testing.T) {
	src := axe.Source(t)
	b := newBrowser(t)
	f := newHubFixture(t)
	f.submit(t, bundle.KindAlert, &bundle.Report{Category: "other", Narrative: "help now"})
	id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "threats", Narrative: "a report", Where: "here"},
		file("photo.jpg", jpegWithGPS(40, 30)), file("letter.pdf", pdfBytes))
	d := f.start(t)
	f.waitFor(t, "the cases", func(p casebook.Page) bool { return p.Total == 2 })
	b.step(t, "open", chromedp.Navigate(d.Address()), chromedp.WaitVisible("#items"))
	eval := func(js string) (string, error) { return b.eval(t, js), nil }
	u := caseURL(demoHub, id)
	for _, lang := range []string{"en", "sl"} {
		b.step(t, "language", chromedp.Navigate(d.Origin()+"/"), chromedp.WaitVisible("#lang"),
			chromedp.SetValue("#lang", lang), chromedp.Click("form.langs button"), chromedp.WaitVisible("main p.ok"))
		for _, p := range []string{"/", "search results", u, u + "/delete", "/local", "/no-such-page"} {
			if p == "search results" {
				b.step(t, p, chromedp.Navigate(d.Origin()+"/search"), chromedp.WaitVisible("#q"), chromedp.SendKeys("#q", "report"),
					chromedp.Click("form.filters button"), chromedp.WaitVisible("#items"))
			} else {
				b.step(t, p, chromedp.Navigate(d.Origin()+p), chromedp.WaitReady("footer"))
			}
			r, err := axe.Run(eval, src)
			if err != nil {
				t.Fatalf("%s %s: %v", lang, p, err)
			}
			for _, v := range r.Violations {
				if v.Serious() {
					t.Errorf("%s %s: %s", lang, p, v)
				} else {
					t.Logf("%s %s (not refused): %s", lang, p, v)
				}
			}
		}
	}
}
