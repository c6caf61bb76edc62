package web_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/web"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserTranslatedSafetyText renders, with JavaScript off as at Tor
// Browser's Safest level, the advice to lower the security level and the
// check-in page in every language, as a visitor sees them: the advice names
// Tor Browser's own labels (docs/glossary.json) and says it applies to every
// site; the check-in button is the catalogue's. Screenshots of each go to the
// artifacts (docs/screenshots holds some).
func TestBrowserTranslatedSafetyText(t *testing.T) {
	srv := testserver.New(t)
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../../docs/glossary.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		TorBrowser map[string]json.RawMessage `json:"tor_browser"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	for _, lang := range web.Langs() {
		var tb struct{ Safer, Safest, Settings string }
		if err := json.Unmarshal(g.TorBrowser[lang], &tb); err != nil {
			t.Fatalf("glossary: tor_browser.%s: %v", lang, err)
		}
		step(t, ctx, "report "+lang, chromedp.Navigate(srv.HubURL+"/report?lang="+lang), chromedp.WaitVisible(".nojs"))
		s := text(t, ctx, ".nojs")
		for _, l := range []string{tb.Safer, tb.Safest, tb.Settings} {
			if !strings.Contains(s, l) {
				t.Errorf("%s: the no-JavaScript advice lacks Tor Browser's %q: %q", lang, l, s)
			}
		}
		if !strings.Contains(s, web.T(lang, "nojs_safer")) {
			t.Errorf("%s: the no-JavaScript advice is not the catalogue's nojs_safer: %q", lang, s)
		}
		screenshot(t, ctx, "report-nojs-"+lang)

		step(t, ctx, "checkin "+lang, chromedp.Navigate(srv.HubURL+"/checkin?lang="+lang), chromedp.WaitReady("footer"))
		if got, want := strings.TrimSpace(text(t, ctx, "main button")), web.T(lang, "checkin_send"); got != want {
			t.Errorf("%s: check-in button %q, want %q", lang, got, want)
		}
		screenshot(t, ctx, "checkin-"+lang)
	}
}
