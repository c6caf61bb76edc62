package web_test

// End-to-end tests in Firefox ESR, Tor Browser's engine, at each of Tor
// Browser's security levels (internal/testutil/bidi: Standard, Safer,
// Safest), against a real server. One browser per level, shared by that
// level's subtests. They skip, saying so, when firefox-esr is missing
// (fail under CI=true), and in -short.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/bidi"
	"difesa.org/difesa/internal/testutil/chrome"
	"difesa.org/difesa/internal/testutil/tool"
)

// ffSize is a window size the pages are checked at: Tor Browser's
// letterboxed desktop sizes and a phone's.
type ffSize struct {
	name          string
	width, height int
}

var ffSizes = []ffSize{{"1000x900", 1000, 900}, {"1400x900", 1400, 900}, {"phone", 390, 844}}

// ffWait bounds waiting for the page's script (key derivation, encryption,
// upload); Safer has no JIT, so it is generous.
const ffWait = 90 * time.Second

// firefox starts Firefox ESR at level, or skips (fails under CI=true).
func firefox(t *testing.T, level bidi.Level) *bidi.Browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	tool.Need(t, "firefox-esr", "apt-get install firefox-esr")
	return bidi.Start(t, level)
}

// ffShot saves a screenshot of the tab in the artifacts folder.
func ffShot(t *testing.T, b *bidi.Browser, name string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(chrome.Artifacts(t), "firefox-"+name+".png"), b.Screenshot(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ffLang checks that the page is in lang: <html lang>, and the address.
func ffLang(t *testing.T, b *bidi.Browser, lang string) {
	t.Helper()
	var got struct{ Lang, Href string }
	b.Eval(`({Lang: document.documentElement.lang, Href: location.href})`, &got)
	if got.Lang != lang || !strings.Contains(got.Href, "lang="+lang) {
		t.Errorf("page %s is in %q, want %q", got.Href, got.Lang, lang)
	}
}

// ffFollow clicks the link matching selector and waits for the page it
// opens.
func ffFollow(b *bidi.Browser, selector string) {
	b.Loads(func() { b.Click(selector) })
}

// TestFirefox runs the defender's flows at each security level.
func TestFirefox(t *testing.T) {
	for _, level := range bidi.Levels {
		t.Run(level.String(), func(t *testing.T) {
			srv := testserver.New(t)
			b := firefox(t, level)
			t.Run("level in effect", func(t *testing.T) { ffLevelInEffect(t, b.For(t), srv) })
			t.Run("layout", func(t *testing.T) { ffLayout(t, b.For(t), srv) })
			t.Run("nothing posts plaintext", func(t *testing.T) { ffNoPlaintextForms(t, b.For(t), srv) })
			if level.JavaScript() {
				t.Run("axe", func(t *testing.T) { ffAxe(t, b.For(t)) })
			}
			if level.JavaScript() {
				// The flows run at a different size at each level.
				size := map[bidi.Level]ffSize{bidi.Standard: ffSizes[0], bidi.Safer: ffSizes[2]}[level]
				b.SetViewport(size.width, size.height)
				t.Run("report, codename, replies, follow-up at "+size.name, func(t *testing.T) { ffReportFlow(t, b.For(t), srv) })
				t.Run("alert", func(t *testing.T) { ffAlertFlow(t, b.For(t), srv) })
			} else {
				b.SetViewport(ffSizes[1].width, ffSizes[1].height)
				t.Run("every page explains", func(t *testing.T) { ffExplains(t, b.For(t), srv) })
			}
			t.Run("upload of an age file", func(t *testing.T) { ffUploadFlow(t, b.For(t), srv) })
			t.Run("check-in", func(t *testing.T) { ffCheckinFlow(t, b.For(t)) })
			t.Run("news", func(t *testing.T) { ffNewsFlow(t, b.For(t), srv) })
			t.Run("verify", func(t *testing.T) { ffVerifyFlow(t, b.For(t), srv) })
		})
	}
}

// ffLevelInEffect checks, on the report page, what the level's profile
// does: an en-US browser, WebAssembly only at Standard, the page's script
// running except at Safest.
func ffLevelInEffect(t *testing.T, b *bidi.Browser, srv *testserver.Server) {
	b.Navigate(srv.HubURL + "/report")
	if b.Level.JavaScript() {
		b.WaitFor(bidi.Visible("#epoch"), ffWait)
	}
	var got struct {
		Lang, Wasm string
		Script     bool
	}
	b.Eval(`({Lang: navigator.language, Wasm: typeof WebAssembly, Script: !document.querySelector('#epoch').hidden})`, &got)
	if got.Lang != "en-US" {
		t.Errorf("navigator.language %q, want Tor Browser's en-US", got.Lang)
	}
	if b.Level == bidi.Safer && got.Wasm != "undefined" {
		t.Errorf("WebAssembly is %q at Safer", got.Wasm)
	}
	if got.Script != b.Level.JavaScript() {
		t.Errorf("the page's script ran: %v", got.Script)
	}
}

// ffLayout loads every page at every size: nothing scrolls sideways and
// the page's main button is on screen, whole.
func ffLayout(t *testing.T, b *bidi.Browser, srv *testserver.Server) {
	for _, size := range ffSizes {
		b.SetViewport(size.width, size.height)
		for _, page := range pages {
			b.Navigate(srv.HubURL + "/" + page + "?lang=en")
			if page == "report" && b.Level.JavaScript() {
				b.WaitFor(bidi.Visible("#epoch"), ffWait)
			}
			var got struct {
				Scroll, Inner int
				Button        *struct{ Left, Right float64 }
			}
			b.Eval(`(() => {
  const btn = document.querySelector('main button');
  const r = btn && btn.getBoundingClientRect();
  return {Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth,
    Button: r ? {Left: r.left, Right: r.right} : null};
})()`, &got)
			if got.Inner != size.width {
				t.Errorf("%s at %s: the window is %d px wide", page, size.name, got.Inner)
			}
			if got.Scroll > got.Inner {
				t.Errorf("%s at %s: scrolls sideways (%d px in %d)", page, size.name, got.Scroll, got.Inner)
			}
			if got.Button != nil && (got.Button.Left < 0 || got.Button.Right > float64(got.Inner)) {
				t.Errorf("%s at %s: the main button is off screen (%v–%v of %d)", page, size.name, got.Button.Left, got.Button.Right, got.Inner)
			}
			if page == "report" || page == "" {
				name := page
				if name == "" {
					name = "home"
				}
				ffShot(t, b, fmt.Sprintf("%s-%s-%s", name, strings.ToLower(b.Level.String()), size.name))
			}
		}
	}
}

// ffNoPlaintextForms checks every form of every page: only the upload form
// (the kind and an age file) and the check-in and stop forms (the code)
// have fields a submission would send; the forms where a defender writes
// have none.
func ffNoPlaintextForms(t *testing.T, b *bidi.Browser, srv *testserver.Server) {
	allowed := map[string]string{"upload": "kind file", "checkin": "code", "checkin/stop": "code"}
	for _, page := range pages {
		b.Navigate(srv.HubURL + "/" + page + "?lang=en")
		var forms []struct {
			ID, Method string
			Names      []string
		}
		b.Eval(`[...document.forms].map(f => ({ID: f.id, Method: f.method,
  Names: [...f.elements].filter(e => e.name && !e.disabled).map(e => e.name)}))`, &forms)
		for _, f := range forms {
			if got := strings.Join(f.Names, " "); got != allowed[page] {
				t.Errorf("%s: form %q (%s) would send fields %q, want %q", page, f.ID, f.Method, got, allowed[page])
			}
		}
	}
}

// ffExplains checks, without JavaScript, that the pages that need it say
// so and give the two private routes, in the page's language, and that
// their forms are inert.
func ffExplains(t *testing.T, b *bidi.Browser, srv *testserver.Server) {
	// The pages that need the script, and the home page that links to
	// them, explain; the others work as they are.
	for _, page := range []string{"", "report", "alert", "replies"} {
		b.Navigate(srv.HubURL + "/" + page + "?lang=en")
		b.WaitFor(bidi.Visible(".nojs"), ffWait)
		s := b.Text(".nojs")
		for _, want := range []string{"Safer", "Safest", "age", "Upload an encrypted file"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: the explanation lacks %q: %q", page, want, s)
			}
		}
		var disabled bool
		b.Eval(`[...document.querySelectorAll('main fieldset')].every(f => f.disabled)`, &disabled)
		if !disabled {
			t.Errorf("%s: a fieldset is enabled without JavaScript", page)
		}
		if page != "" {
			ffShot(t, b, page+"-safest")
		}
	}
	for _, page := range []string{"verify", "checkin", "upload", "news"} {
		b.Navigate(srv.HubURL + "/" + page + "?lang=en")
		var n struct{ Nojs, Disabled int }
		b.Eval(`({Nojs: document.querySelectorAll('.nojs').length, Disabled: document.querySelectorAll('main :disabled').length})`, &n)
		if n.Nojs != 0 || n.Disabled != 0 {
			t.Errorf("page %q works without JavaScript, yet says it needs it or has disabled fields (%+v)", page, n)
		}
	}
}
