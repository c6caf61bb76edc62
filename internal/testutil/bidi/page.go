package bidi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// sandbox is the name of the isolated realm the harness's own scripts run
// in: it sees the page's DOM but not its script's globals, and it runs
// when the page's JavaScript is off (Safest).
const sandbox = "difesa-test"

// Navigate loads url in the tab and waits until it has loaded.
func (b *Browser) Navigate(url string) {
	b.t.Helper()
	b.Do("browsingContext.navigate", map[string]any{"context": b.Context, "url": url, "wait": "complete"}, nil)
}

// SetViewport sets the size of the tab's viewport in CSS pixels.
func (b *Browser) SetViewport(width, height int) {
	b.t.Helper()
	b.Do("browsingContext.setViewport", map[string]any{"context": b.Context,
		"viewport": map[string]int{"width": width, "height": height}}, nil)
}

// remoteValue is what script.evaluate and script.callFunction return.
type remoteValue struct {
	Type             string          `json:"type"`
	Result           json.RawMessage `json:"result"`
	ExceptionDetails *struct {
		Text string `json:"text"`
	} `json:"exceptionDetails"`
}

type node struct {
	Type     string `json:"type"`
	SharedID string `json:"sharedId"`
	Value    string `json:"value"`
}

func (b *Browser) evaluate(ctx context.Context, expr string, page bool) (json.RawMessage, error) {
	// Without JavaScript the window runs no microtasks: a promise that
	// awaits never settles, so nothing is awaited there.
	await := b.Level.JavaScript()
	target := map[string]any{"context": b.Context}
	if !page {
		target["sandbox"] = sandbox
	}
	var rv remoteValue
	err := b.Call(ctx, "script.evaluate", map[string]any{"expression": expr, "target": target,
		"awaitPromise": await, "resultOwnership": "none"}, &rv)
	if err != nil {
		return nil, err
	}
	if rv.Type == "exception" {
		msg := "unknown"
		if rv.ExceptionDetails != nil {
			msg = rv.ExceptionDetails.Text
		}
		return nil, fmt.Errorf("bidi: script threw: %s", msg)
	}
	return rv.Result, nil
}

// jsonOf wraps expr so that it evaluates to its value as JSON, awaited
// if await.
func jsonOf(expr string, await bool) string {
	if !await {
		return "(() => { const v = (" + expr + "); return v === undefined ? 'null' : JSON.stringify(v); })()"
	}
	return "(async () => { const v = await (" + expr + "); return v === undefined ? 'null' : JSON.stringify(v); })()"
}

// Eval evaluates the expression expr in the harness's sandbox (the page's
// DOM, not its script's globals), awaits it, and decodes its value, as
// JSON, into out (unless out is nil).
func (b *Browser) Eval(expr string, out any) {
	b.t.Helper()
	b.eval(expr, out, false, Timeout)
}

// EvalPage is [Browser.Eval] in the page's own realm, where the page's
// script and its globals are (window.difesa). Timeout bounds it.
func (b *Browser) EvalPage(expr string, out any, timeout time.Duration) {
	b.t.Helper()
	b.eval(expr, out, true, timeout)
}

func (b *Browser) eval(expr string, out any, page bool, timeout time.Duration) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	raw, err := b.evaluate(ctx, jsonOf(expr, b.Level.JavaScript()), page)
	if err != nil {
		b.t.Fatalf("bidi: evaluating %s: %v", short(expr), err)
	}
	var n node
	json.Unmarshal(raw, &n)
	if out != nil && n.Type == "string" {
		if err := json.Unmarshal([]byte(n.Value), out); err != nil {
			b.t.Fatalf("bidi: the value of %s: %v", short(expr), err)
		}
	}
}

func short(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// Text returns the textContent of the first element matching selector,
// failing the test if there is none.
func (b *Browser) Text(selector string) string {
	b.t.Helper()
	var s *string
	b.Eval(fmt.Sprintf("document.querySelector(%q)?.textContent ?? null", selector), &s)
	if s == nil {
		b.t.Fatalf("bidi: no element %s on %s", selector, b.URL())
	}
	return *s
}

// URL returns the address of the tab's document.
func (b *Browser) URL() string {
	var s string
	b.Eval("location.href", &s)
	return s
}

// WaitFor waits until the JavaScript condition cond, evaluated in the
// sandbox, is true: it is checked at once and after every change of the
// document, for at most timeout. Without page JavaScript (Safest) nothing
// changes a loaded page, so the condition is checked once.
func (b *Browser) WaitFor(cond string, timeout time.Duration) {
	b.t.Helper()
	ms := timeout.Milliseconds()
	expr := fmt.Sprintf(`new Promise((resolve, reject) => {
  const ok = () => { try { return !!(%s); } catch { return false; } };
  if (ok()) return resolve(true);
  const mo = new MutationObserver(() => { if (ok()) { mo.disconnect(); clearTimeout(tm); resolve(true); } });
  mo.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  const tm = setTimeout(() => { mo.disconnect(); reject(new Error('still false after %d ms')); }, %d);
})`, cond, ms, ms)
	if !b.Level.JavaScript() {
		expr = fmt.Sprintf("(() => { if (!(%s)) throw new Error('false on a page without JavaScript'); return true; })()", cond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout+10*time.Second)
	defer cancel()
	if _, err := b.evaluate(ctx, expr, false); err != nil {
		b.t.Fatalf("bidi: waiting for %s on %s: %v", short(cond), b.URL(), err)
	}
}

// Visible is a condition for [Browser.WaitFor]: an element matching
// selector is rendered (not hidden, with a box).
func Visible(selector string) string {
	return fmt.Sprintf("(e => !!e && !e.closest('[hidden]') && e.getClientRects().length > 0)(document.querySelector(%q))", selector)
}

// Enabled is a condition for [Browser.WaitFor]: an element matching
// selector exists and is not disabled (itself or by a fieldset).
func Enabled(selector string) string {
	return fmt.Sprintf("(e => !!e && !e.matches(':disabled'))(document.querySelector(%q))", selector)
}

// element returns a reference to the first element matching selector.
func (b *Browser) element(selector string) map[string]string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	raw, err := b.evaluate(ctx, fmt.Sprintf("document.querySelector(%q)", selector), false)
	if err != nil {
		b.t.Fatalf("bidi: finding %s: %v", selector, err)
	}
	var n node
	if json.Unmarshal(raw, &n); n.Type != "node" || n.SharedID == "" {
		b.t.Fatalf("bidi: no element %s on %s", selector, b.URL())
	}
	return map[string]string{"sharedId": n.SharedID}
}

// Focus focuses the first element matching selector.
func (b *Browser) Focus(selector string) {
	b.t.Helper()
	b.element(selector)
	b.Eval(fmt.Sprintf("document.querySelector(%q).focus()", selector), nil)
}

// Keys for [Browser.Press], as WebDriver names them.
const (
	Enter = "\uE007"
	Tab   = "\uE004"
	Space = " "
)

// Type focuses the element matching selector and types text into it with
// real key events, one per character ("\n" is Enter).
func (b *Browser) Type(selector, text string) {
	b.t.Helper()
	b.Focus(selector)
	b.Press(strings.Split(strings.ReplaceAll(text, "\n", Enter), "")...)
}

// Press presses and releases each key in turn on whatever has the focus.
func (b *Browser) Press(keys ...string) {
	b.t.Helper()
	var acts []map[string]string
	for _, k := range keys {
		acts = append(acts, map[string]string{"type": "keyDown", "value": k}, map[string]string{"type": "keyUp", "value": k})
	}
	b.Do("input.performActions", map[string]any{"context": b.Context, "actions": []any{
		map[string]any{"type": "key", "id": "keyboard", "actions": acts},
	}}, nil)
}

// SetFiles puts the files at paths in the file input matching selector,
// as a person choosing them would.
func (b *Browser) SetFiles(selector string, paths ...string) {
	b.t.Helper()
	b.Do("input.setFiles", map[string]any{"context": b.Context, "element": b.element(selector), "files": paths}, nil)
}

// Loads runs do, which must make the tab load a new document (a form
// submitted, a link followed), and waits for that document's load event.
func (b *Browser) Loads(do func()) {
	b.t.Helper()
	ch := b.nextEvent("browsingContext.load")
	do()
	select {
	case <-ch:
	case <-b.done:
		b.t.Fatal(ErrClosed)
	case <-time.After(Timeout):
		b.t.Fatalf("bidi: no page loaded within %v", Timeout)
	}
}

// Screenshot returns a PNG of the tab's viewport.
func (b *Browser) Screenshot() []byte {
	b.t.Helper()
	var r struct {
		Data string `json:"data"`
	}
	b.Do("browsingContext.captureScreenshot", map[string]any{"context": b.Context, "origin": "document"}, &r)
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		b.t.Fatalf("bidi: the screenshot: %v", err)
	}
	return png
}
