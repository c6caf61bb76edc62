package desk

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/desk/casebook"
)

// TestBrowserRestrictCase: in real Chromium, A restricts a case to A
// and B from the case page (choice, review of who will and will not
// read it, confirmation), the page names its members, and A lifts it.
func TestBrowserRestrictCase(t *testing.T) {
	b := newBrowser(t)
	team := newTeam(t)
	a := team[0]
	secret, _ := a.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "A case for two."})
	d := a.start(t)
	a.waitFor(t, "the case and the settings", func(p casebook.Page) bool {
		s, err := a.desk.book.Settings(teamHub)
		return p.Total == 1 && err == nil && s.Me == "Responder 1"
	})
	u := caseURL(teamHub, secret)
	b.step(t, "open the desk", chromedp.Navigate(d.Address()), chromedp.WaitVisible("#items"))
	b.step(t, "open the case", chromedp.Navigate(d.Origin()+u), chromedp.WaitVisible("#restriction"))
	b.step(t, "restrict", chromedp.Click(`#restriction a[href="`+u+`/restrict"]`), chromedp.WaitVisible("#restrict-me"))
	b.step(t, "choose B", chromedp.Click(`input[value="Responder 2"]`), chromedp.Click(`main form button[type="submit"]`), chromedp.WaitVisible("#restrict-readers"))
	readers := b.eval(t, `document.getElementById("restrict-readers").textContent`)
	others := b.eval(t, `document.getElementById("restrict-others").textContent`)
	if readers != "Can read the case: Responder 1, Responder 2." || !strings.Contains(others, "Responder 3") {
		t.Fatalf("the review: %q / %q", readers, others)
	}
	b.step(t, "confirm", chromedp.Click(`main form button.danger`), chromedp.WaitVisible("main p.ok"))
	rs, err := responderClient(t, a).GetRestriction(context.Background(), secret)
	if err != nil || len(rs.Keys) != 2 {
		t.Fatalf("the hub's restriction: %+v (%v)", rs, err)
	}
	a.waitFor(t, "the members", func(casebook.Page) bool {
		k, err := a.desk.book.Case(teamHub, secret)
		return err == nil && len(k.Restriction.Members) == 2
	})
	b.step(t, "reload", chromedp.Navigate(d.Origin()+u), chromedp.WaitVisible("#restricted-to"))
	if s := b.eval(t, `document.getElementById("restricted-to").textContent`); s != "Only these responders can read this case: Responder 1, Responder 2." {
		t.Fatalf("the case page says %q", s)
	}
	b.step(t, "lift", chromedp.Click(`#restriction a[href="`+u+`/restrict?lift=1"]`), chromedp.WaitVisible("#restrict-readers"),
		chromedp.Click(`main form button.danger`), chromedp.WaitVisible("main p.ok"))
	if rs, err := responderClient(t, a).GetRestriction(context.Background(), secret); err != nil || len(rs.Keys) != 0 {
		t.Fatalf("after the lift the hub's restriction is %+v (%v)", rs, err)
	}
}
