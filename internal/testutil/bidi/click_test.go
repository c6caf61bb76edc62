package bidi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// tallPage has a text area at the top and a button a screen below it, as
// the report page has: typing in the text area makes Firefox scroll the
// caret into view a moment later, which, before [Browser.Click] waited for
// the page to be still, could move the button away between the click's
// aim and its press.
const tallPage = `<!doctype html><html lang="en"><head><title>t</title></head>
<body><textarea id="t" rows="4"></textarea><div style="height: 1600px"></div>
<label for="f">file</label><input id="f" type="file"><p style="height: 200px">hint</p>
<button id="b">go</button><div style="height: 300px"></div>
<p id="n">0</p><input id="c" type="checkbox"><label id="l" for="c">agree</label></body></html>`

// TestClickAfterTyping types in a text area and then clicks a button far
// below it, again and again on a fresh page: every click must reach the
// button (the first-send stall of docs/web.md).
func TestClickAfterTyping(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tallPage) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for _, level := range []Level{Standard, Safer} {
		t.Run(level.String(), func(t *testing.T) {
			b := Start(t, level)
			b.SetViewport(1400, 900)
			missed := 0
			const n = 20
			for i := range n {
				b.Navigate(srv.URL + "/")
				// In the sandbox: counts the clicks that reach the button.
				b.Eval(`(() => { document.querySelector('#b').addEventListener('click', () => {
  const n = document.querySelector('#n'); n.textContent = String(+n.textContent + 1); }); return true; })()`, nil)
				b.Type("#t", "first send")
				b.Click("#b")
				var clicks string
				b.Eval(`document.querySelector('#n').textContent`, &clicks)
				if clicks != "1" {
					missed++
					t.Logf("try %d: the button got %s clicks", i, clicks)
				}
			}
			if missed > 0 {
				t.Errorf("%d of %d clicks after typing missed the button", missed, n)
			}
			// A click on a label reaches its control, which is elsewhere.
			b.Click("#l")
			var checked bool
			b.Eval(`document.querySelector('#c').checked`, &checked)
			if !checked {
				t.Error("a click on the label left its checkbox unchecked")
			}
		})
	}
}
