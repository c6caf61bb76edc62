package web_test

// The defender flows completed with the keyboard alone in real Chromium:
// only key events (Tab, Shift+Tab, Enter, Space, arrows, typing) move the
// focus and fill the fields; nothing is clicked and no value is set from
// the test, except the attachment (see below). Every Tab stop is checked
// for a visible focus indicator and for following the visual order and
// the DOM order.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"difesa.org/difesa/internal/testserver"
)

// focusStop is what the page says of its focused element.
type focusStop struct {
	ID, Tag, Text            string
	Top, Left, Bottom, Right float64
	Indicator                string // the outline or box-shadow that shows the focus, "" if none
	Order                    int    // position in document order
	Skip, InMain             bool
	Contrast                 float64 // of the outline's colour against the page's background
	Seen                     bool    // at least partly within the window, not covered by another element there
}

func (f focusStop) String() string {
	if f.ID != "" {
		return f.Tag + "#" + f.ID
	}
	return f.Tag + " " + strings.TrimSpace(f.Text)
}

const focusJS = `(() => {
const e = document.activeElement;
if (!e || e === document.body || e === document.documentElement) return JSON.stringify({Tag: "body", Order: -1});
const r = e.getBoundingClientRect(), s = getComputedStyle(e);
let ind = "";
if (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) ind = "outline " + s.outlineStyle + " " + s.outlineWidth + " " + s.outlineColor;
else if (s.boxShadow && s.boxShadow !== "none") ind = "box-shadow " + s.boxShadow;
// Seen if the middle of the visible part of one of its boxes (a link
// that wraps has one per line) is the element itself.
const seen = [...e.getClientRects()].some(b => {
  const vt = Math.max(b.top, 0), vb = Math.min(b.bottom, innerHeight), vl = Math.max(b.left, 0), vr = Math.min(b.right, innerWidth);
  const at = vb > vt && vr > vl ? document.elementFromPoint((vl + vr) / 2, (vt + vb) / 2) : null;
  return !!at && (at === e || e.contains(at));
});
const lum = c => { const v = c.match(/[\d.]+/g).slice(0, 3).map(x => { x /= 255; return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; }); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
const lo = lum(s.outlineColor), lb = lum(getComputedStyle(document.documentElement).backgroundColor);
const contrast = (Math.max(lo, lb) + 0.05) / (Math.min(lo, lb) + 0.05);
return JSON.stringify({ID: e.id, Tag: e.tagName.toLowerCase(), Text: (e.textContent || "").trim().slice(0, 40),
  Top: r.top + scrollY, Left: r.left + scrollX, Bottom: r.bottom + scrollY, Right: r.right + scrollX,
  Indicator: ind, Order: [...document.querySelectorAll("*")].indexOf(e),
  Skip: e.classList.contains("skip"), InMain: !!e.closest("main"), Seen: seen, Contrast: contrast});
})()`

// keys sends key events to the focused element (with modifiers, if any).
func keys(t *testing.T, ctx context.Context, what, k string, mods ...chromedp.Modifier) {
	t.Helper()
	step(t, ctx, what, chromedp.KeyEvent(k, chromedp.KeyModifiers(mods...)))
}

// focused describes the focused element.
func focused(t *testing.T, ctx context.Context) focusStop {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Evaluate[string](focusJS))
	if err != nil {
		t.Fatalf("focused element: %v", err)
	}
	var f focusStop
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		t.Fatalf("focused element %q: %v", s, err)
	}
	return f
}

// tab presses Tab (Shift+Tab if back) and returns the new focus, which
// must show a focus indicator.
func tab(t *testing.T, ctx context.Context, back bool) focusStop {
	t.Helper()
	if back {
		keys(t, ctx, "shift+tab", kb.Tab, chromedp.ModifierShift)
	} else {
		keys(t, ctx, "tab", kb.Tab)
	}
	f := focused(t, ctx)
	if f.Tag != "body" && f.Indicator == "" {
		t.Errorf("%s has the focus and no visible focus indicator", f)
	}
	if f.Tag != "body" && strings.HasPrefix(f.Indicator, "outline") && f.Contrast < 3 {
		t.Errorf("%s: focus outline contrast %.2f:1 against the page, want at least 3:1", f, f.Contrast)
	}
	if f.Tag != "body" && !f.Seen {
		t.Errorf("%s has the focus and is outside the window or covered (at %.0f,%.0f)", f, f.Left, f.Top)
	}
	return f
}

// tabTo presses Tab until the element with id has the focus (at most 40
// times) and returns every stop on the way, the last being id.
func tabTo(t *testing.T, ctx context.Context, id string) []focusStop {
	t.Helper()
	var stops []focusStop
	for range 40 {
		f := tab(t, ctx, false)
		stops = append(stops, f)
		if f.ID == id {
			return stops
		}
	}
	t.Fatalf("40 presses of Tab never reached #%s: %v", id, stops)
	return nil
}

// skipToMain loads url and checks that the first Tab stop is the skip
// link, shown on focus, and that Enter on it moves the focus to <main>.
func skipToMain(t *testing.T, ctx context.Context, url, ready string) {
	t.Helper()
	step(t, ctx, "load "+url, chromedp.Navigate(url), chromedp.WaitReady(ready))
	f := tab(t, ctx, false)
	if !f.Skip {
		t.Fatalf("first Tab stop is %s, not the skip link", f)
	}
	if f.Left < 0 || f.Top < 0 {
		t.Errorf("the focused skip link is off screen at (%v, %v)", f.Left, f.Top)
	}
	keys(t, ctx, "enter on the skip link", kb.Enter)
	if f := focused(t, ctx); f.ID != "main" {
		t.Fatalf("the skip link moved the focus to %s, not to main", f)
	}
}

// walkPage loads url and presses Tab from the top of the page until the
// focus leaves the page or comes back to the skip link. The skip link
// must be the first stop; the others must follow the document order and
// the visual order (top to bottom, then left to right within a line).
func walkPage(t *testing.T, ctx context.Context, url, ready string) []focusStop {
	t.Helper()
	step(t, ctx, "load "+url, chromedp.Navigate(url), chromedp.WaitReady(ready))
	if f := tab(t, ctx, false); !f.Skip {
		t.Fatalf("first Tab stop is %s, not the skip link", f)
	}
	var stops []focusStop
	for range 80 {
		f := tab(t, ctx, false)
		if f.Tag == "body" || f.Skip {
			break
		}
		stops = append(stops, f)
	}
	if len(stops) == 0 {
		t.Fatal("no Tab stop after the skip link")
	}
	checkOrder(t, stops)
	for _, f := range stops {
		t.Logf("%s at (%.0f,%.0f) %s (%.1f:1)", f, f.Left, f.Top, f.Indicator, f.Contrast)
	}
	return stops
}

// checkOrder checks that each stop comes after the previous one in the
// document and on the screen.
func checkOrder(t *testing.T, stops []focusStop) {
	t.Helper()
	for i := 1; i < len(stops); i++ {
		a, b := stops[i-1], stops[i]
		if b.Order <= a.Order {
			t.Errorf("Tab went from %s back to %s in the document", a, b)
		}
		below := b.Top >= a.Bottom-2
		sameLineRight := b.Top < a.Bottom-2 && b.Bottom > a.Top+2 && b.Left >= a.Right-2
		if !below && !sameLineRight {
			t.Errorf("Tab went from %s at (%.0f,%.0f)-(%.0f,%.0f) to %s at (%.0f,%.0f)-(%.0f,%.0f), not below it nor to its right",
				a, a.Left, a.Top, a.Right, a.Bottom, b, b.Left, b.Top, b.Right, b.Bottom)
		}
	}
}

// formControls lists the ids of the visible controls of #compose in
// document order.
func formControls(t *testing.T, ctx context.Context) []string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify([...document.querySelectorAll("#compose :is(input,select,textarea,button)")].filter(e => e.type !== "hidden" && e.checkVisibility()).map(e => e.id))`))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	json.Unmarshal([]byte(s), &ids)
	return ids
}

func ids(stops []focusStop) []string {
	var l []string
	for _, f := range stops {
		l = append(l, f.ID)
	}
	return l
}

// value reads the value of the element with id (reading, never setting).
func value(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById(`+jsString(id)+`).value`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

// afterWritten checks where the focus goes once the codename is written
// down: the button that had it is gone with the codename, so the focus
// must move to the message shown instead (not fall back to the page,
// where a screen reader would say nothing), and the next Tab stop is the
// link in it.
func afterWritten(t *testing.T, ctx context.Context) {
	t.Helper()
	if f := focused(t, ctx); f.ID != "after" {
		t.Errorf("once the codename is written down, the focus is on %s, not on the message after it", f)
	}
	f := tab(t, ctx, false)
	in, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.activeElement.closest("#after")`))
	if err != nil || !in || f.Tag != "a" {
		t.Errorf("Tab after the codename screen reached %s (%v), want the link in #after", f, err)
	}
}

// tabThrough presses Tab once for each id in turn: the focus must reach
// exactly that control; where typed holds text for it, the text is typed.
func tabThrough(t *testing.T, ctx context.Context, typed map[string]string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if f := tab(t, ctx, false); f.ID != id {
			t.Fatalf("Tab reached %s, want #%s", f, id)
		}
		if s, ok := typed[id]; ok {
			keys(t, ctx, "type in "+id, s)
		}
	}
}

// writtenDown is the screen a send ends on, which shows what the defender
// must write down: the codename, or the check-in codes.
type writtenDown struct {
	name    string // "codename screen"
	sent    string // what was done: "sending"
	shown   string // a selector visible on it
	confirm string // the key pressed on "written down": Enter or Space
}

// sendAndWriteDown presses Enter on the focused send button and walks the
// screen w: it takes the focus (#done), the next Tab stop is #written,
// and w.confirm there shows #after, where the focus goes (afterWritten).
// onScreen runs on the screen, onWritten once #after is shown (nil: none).
func sendAndWriteDown(t *testing.T, ctx context.Context, w writtenDown, onScreen, onWritten func()) {
	t.Helper()
	keys(t, ctx, "enter on send", kb.Enter)
	step(t, ctx, w.name, chromedp.WaitVisible(w.shown))
	if f := focused(t, ctx); f.ID != "done" {
		t.Errorf("after %s, the focus is on %s, not on the %s", w.sent, f, w.name)
	}
	if onScreen != nil {
		onScreen()
	}
	if f := tab(t, ctx, false); f.ID != "written" {
		t.Fatalf("Tab from the %s reached %s, want #written", w.name, f)
	}
	keys(t, ctx, "confirm written", w.confirm)
	step(t, ctx, "after the "+w.name, chromedp.WaitVisible("#after"))
	if onWritten != nil {
		onWritten()
	}
	afterWritten(t, ctx)
}

// TestBrowserKeyboardReport completes the report flow with the keyboard
// alone: the skip link, every field typed in, a category chosen with the
// arrow keys, send with Enter, the codename screen (which takes the
// focus) confirmed with Space; a responder then reads exactly what was
// typed.
func TestBrowserKeyboardReport(t *testing.T) {
	srv := testserver.New(t)
	ctx := newBrowser(t)
	page := srv.HubURL + "/report?lang=en"
	const ready = "#fields:enabled"

	// Every Tab stop of the page, in order, each visibly focused; those
	// of the form are its controls in document order.
	all := walkPage(t, ctx, page, ready)
	var inForm []string
	for _, id := range ids(all) {
		if id != "" && slices.Contains([]string{"category", "narrative", "when", "where", "who", "needs", "contact", "files", "send"}, id) {
			inForm = append(inForm, id)
		}
	}
	if want := formControls(t, ctx); !slices.Equal(inForm, want) {
		t.Errorf("Tab stops in the form %v, want its controls in document order %v", inForm, want)
	}

	attachment := filepath.Join(t.TempDir(), "note.txt")
	attached := []byte("attached with the keyboard")
	os.WriteFile(attachment, attached, 0o600)
	typed := map[string]string{
		"narrative": "A car waits outside every night.\nSince March.",
		"when":      "since March",
		"where":     "Bologna",
		"who":       "two men",
		"needs":     "advice",
		"contact":   "via the codename",
	}

	skipToMain(t, ctx, page, ready)
	tabTo(t, ctx, "category")
	first := value(t, ctx, "category")
	keys(t, ctx, "arrow down on the category", kb.ArrowDown)
	category := value(t, ctx, "category")
	if category == first {
		t.Fatalf("ArrowDown left the category at %q", category)
	}
	for _, id := range []string{"narrative", "when", "where", "who", "needs", "contact"} {
		if f := tab(t, ctx, false); f.ID != id {
			t.Fatalf("Tab reached %s, want #%s", f, id)
		}
		keys(t, ctx, "type in "+id, typed[id])
		if got := value(t, ctx, id); got != typed[id] {
			t.Fatalf("#%s holds %q after typing %q", id, got, typed[id])
		}
	}
	if f := tab(t, ctx, false); f.ID != "files" {
		t.Fatalf("Tab reached %s, want #files", f)
	}
	// A file chooser is a native dialog that key events cannot drive:
	// the file is given to the focused input with SetUploadFiles, the
	// one action of this test that is not a key.
	step(t, ctx, "attach", chromedp.SetUploadFiles("#files", []string{attachment}))
	if f := tab(t, ctx, false); f.ID != "send" {
		t.Fatalf("Tab reached %s, want #send", f)
	}
	if f := tab(t, ctx, true); f.ID != "files" {
		t.Fatalf("Shift+Tab from send reached %s, want #files", f)
	}
	if f := tab(t, ctx, false); f.ID != "send" {
		t.Fatalf("Tab reached %s, want #send", f)
	}
	var code string
	sendAndWriteDown(t, ctx, writtenDown{name: "codename screen", sent: "sending", shown: "#codename", confirm: " "},
		func() { code = text(t, ctx, "#codename") },
		func() {
			if text(t, ctx, "#codename") != "" {
				t.Error("the codename is still in the page after it was written down")
			}
		})

	// What the keys typed is what a responder reads.
	resp := login(t, srv.URL+"/api/v1/hubs/demo", loadIdentity(t, srv.IdentityFile))
	subs := resp.submissions()
	if len(subs) != 1 {
		t.Fatalf("submissions: %+v", subs)
	}
	o, files := resp.open(subs[0].ID)
	r := o.Report
	if r.Category != category || r.Narrative != typed["narrative"] || r.When != typed["when"] || r.Where != typed["where"] ||
		r.Who != typed["who"] || r.Needs != typed["needs"] || r.Contact != typed["contact"] {
		t.Errorf("report read back as %+v, typed %v in category %q", r, typed, category)
	}
	if !bytes.Equal(files["note.txt"], attached) {
		t.Errorf("attachment read back as %q", files["note.txt"])
	}
	if code == "" {
		t.Error("no codename shown")
	}
}

// TestBrowserKeyboardAlert sends an urgent alert with the keyboard alone.
func TestBrowserKeyboardAlert(t *testing.T) {
	srv := testserver.New(t)
	ctx := newBrowser(t)
	page := srv.HubURL + "/alert?lang=en"
	const ready = "#fields:enabled"
	walkPage(t, ctx, page, ready)

	skipToMain(t, ctx, page, ready)
	stops := tabTo(t, ctx, "narrative")
	for _, f := range stops[:len(stops)-1] {
		if f.InMain {
			t.Errorf("Tab stop %s in main before the alert's first field", f)
		}
	}
	keys(t, ctx, "type the alert", "Taken by police at the station")
	tabThrough(t, ctx, map[string]string{"where": "Via Roma 1"}, "where", "contact", "send")
	sendAndWriteDown(t, ctx, writtenDown{name: "codename screen", sent: "sending", shown: "#codename", confirm: kb.Enter}, nil, nil)

	resp := login(t, srv.URL+"/api/v1/hubs/demo", loadIdentity(t, srv.IdentityFile))
	subs := resp.submissions()
	if len(subs) != 1 || subs[0].Kind != "alert" {
		t.Fatalf("submissions: %+v", subs)
	}
	if o, _ := resp.open(subs[0].ID); o.Report.Narrative != "Taken by police at the station" || o.Report.Where != "Via Roma 1" {
		t.Errorf("alert read back as %+v", o.Report)
	}
}

// TestBrowserKeyboardCheckin checks in with the keyboard alone, with
// JavaScript off (the check-in page does not need it).
func TestBrowserKeyboardCheckin(t *testing.T) {
	srv := testserver.New(t)
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	page := srv.HubURL + "/checkin?lang=en"
	stops := walkPage(t, ctx, page, "footer")
	if i := slices.IndexFunc(stops, func(f focusStop) bool { return f.InMain }); i < 0 || stops[i].ID != "code" {
		t.Errorf("Tab stops %v, want #code first in main", stops)
	}

	skipToMain(t, ctx, page, "footer")
	if f := tab(t, ctx, false); f.ID != "code" {
		t.Fatalf("Tab reached %s, want #code", f)
	}
	keys(t, ctx, "type a code", "not a code")
	keys(t, ctx, "enter in the code", kb.Enter)
	step(t, ctx, "answer", chromedp.WaitVisible(`main p[role="alert"]`))
	if f := tab(t, ctx, false); !f.Skip {
		t.Errorf("first Tab stop of the answer is %s, not the skip link", f)
	}
}

// TestBrowserKeyboardCheckinStart arms a check-in timer with the keyboard
// alone (the page that needs JavaScript): the default interval and grace
// are kept, the instructions typed, the codes screen confirmed with Enter.
func TestBrowserKeyboardCheckinStart(t *testing.T) {
	srv := testserver.New(t)
	ctx := newBrowser(t)
	page := srv.HubURL + "/checkin/start?lang=en"
	const ready = "#fields:enabled"
	walkPage(t, ctx, page, ready)

	skipToMain(t, ctx, page, ready)
	tabTo(t, ctx, "every")
	tabThrough(t, ctx, map[string]string{"narrative": "Call Marta."}, "grace", "narrative", "send")
	sendAndWriteDown(t, ctx, writtenDown{name: "codes screen", sent: "arming", shown: "#duress-code", confirm: kb.Enter}, nil, nil)
	if n := len(login(t, srv.URL+"/api/v1/hubs/demo", loadIdentity(t, srv.IdentityFile)).submissions()); n != 1 {
		t.Errorf("%d submissions after arming one timer", n)
	}
}

// TestBrowserKeyboardFocusPhoneDark walks the report, alert and check-in
// pages with Tab on a phone-sized screen (the navigation wraps) in the
// dark colour scheme: the same order and focus checks as above.
func TestBrowserKeyboardFocusPhoneDark(t *testing.T) {
	srv := testserver.New(t)
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 360, Height: 740, DeviceScaleFactor: 2, Mobile: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ path, ready string }{
		{"/report?lang=sl", "#fields:enabled"},
		{"/alert?lang=sl", "#fields:enabled"},
		{"/checkin?lang=sl", "footer"},
	} {
		t.Run(p.path, func(t *testing.T) {
			walkPage(t, ctx, srv.HubURL+p.path, p.ready)
			skipToMain(t, ctx, srv.HubURL+p.path, p.ready)
		})
	}
}
