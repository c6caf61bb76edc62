package web_test

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/bidi"
)

// TestFirefoxFirstSend sends, at Standard and Safer, the first report to
// each of DIFESA_FIREFOX_STALL freshly started hubs, one browser per
// level as the other Firefox tests do, and counts the sends that never
// reach the codename screen (docs/web.md, "the first-send stall"). On a
// stall it logs what the page shows, where each mouse event landed, and
// the console messages and requests the browser recorded (for every send
// with DIFESA_FIREFOX_STALL_EVENTS=1).
func TestFirefoxFirstSend(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("DIFESA_FIREFOX_STALL"))
	if n <= 0 {
		t.Skip("set DIFESA_FIREFOX_STALL=N to send N first reports to fresh hubs at each level")
	}
	for _, level := range []bidi.Level{bidi.Standard, bidi.Safer} {
		t.Run(level.String(), func(t *testing.T) {
			b := firefox(t, level)
			b.SetViewport(1400, 900)
			rec := b.Record("log.entryAdded", "network.beforeRequestSent", "network.responseCompleted", "network.fetchError", "browsingContext.navigationStarted", "browsingContext.load", "browsingContext.domContentLoaded")
			stalls := 0
			var took []time.Duration
			for i := range n {
				t.Run(strconv.Itoa(i), func(t *testing.T) {
					srv := testserver.New(t)
					b := b.For(t)
					b.Navigate(srv.HubURL + "/report?lang=en")
					b.WaitFor(bidi.Enabled("#narrative"), ffWait)
					rec.Events()
					b.Eval(`(() => {
  const d = document.body.dataset;
  d.seen = '';
  for (const ev of ['pointerdown', 'pointerup', 'click', 'submit']) document.addEventListener(ev, (e) => {
    const r = document.querySelector('#send').getBoundingClientRect();
    d.seen += ev + '@' + (e.target.id || e.target.tagName) + (e.clientX !== undefined ? '(' + e.clientX + ',' + e.clientY + ')' : '') + ' send[' + Math.round(r.top) + '-' + Math.round(r.bottom) + '] y' + Math.round(scrollY) + '; ';
  }, true);
  return true;
})()`, nil)
					b.Type("#narrative", "first send")
					start := time.Now()
					b.Click("#send")
					got, err := b.Script(`new Promise(resolve => {
  const v = s => { const e = document.querySelector(s); return !!e && !e.closest('[hidden]') && e.getClientRects().length > 0; };
  const ok = () => v('#codename') ? 'codename' : v('#error') ? 'error' : '';
  if (ok()) return resolve(ok());
  const mo = new MutationObserver(() => { if (ok()) { mo.disconnect(); resolve(ok()); } });
  mo.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  setTimeout(() => { mo.disconnect(); resolve('stalled'); }, 30000);
})`, ffWait)
					d := time.Since(start)
					if err != nil {
						t.Fatal(err)
					}
					switch got {
					case "codename":
						took = append(took, d)
						if os.Getenv("DIFESA_FIREFOX_STALL_EVENTS") != "" {
							ffDumpEvents(t, rec.Events())
						}
					case "error":
						t.Errorf("send %d: the page failed: %s", i, b.Text("#error"))
					default:
						stalls++
						var st struct{ Seen, Href, Progress, Fields, Active, Narrative string }
						b.Eval(`({Seen: document.body.dataset.seen, Href: location.href, Progress: String(document.querySelector('#progress').hidden),
  Fields: String(document.querySelector('#fields').disabled), Active: document.activeElement?.id ?? '', Narrative: document.querySelector('#narrative').value})`, &st)
						t.Errorf("send %d stalled: status %q after %v; %+v", i, b.Text("#status"), d.Round(time.Millisecond), st)
						ffDumpEvents(t, rec.Events())
					}
				})
			}
			t.Logf("%s: %d stalls in %d first sends; %s", level, stalls, n, ffSpreadOr(took))
		})
	}
}

// ffSpreadOr is [spread], or says that there was nothing to spread.
func ffSpreadOr(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none reached the codename screen"
	}
	return "send to codename " + spread(ds)
}

// ffDumpEvents logs the console messages and the requests recorded.
func ffDumpEvents(t *testing.T, evs []bidi.Event) {
	t.Helper()
	for _, e := range evs {
		var p struct {
			Text    string `json:"text"`
			Level   string `json:"level"`
			Request struct {
				Request string `json:"request"`
				URL     string `json:"url"`
				Method  string `json:"method"`
			} `json:"request"`
			Response struct {
				Status int `json:"status"`
			} `json:"response"`
			ErrorText string `json:"errorText"`
		}
		json.Unmarshal(e.Params, &p)
		switch e.Method {
		case "log.entryAdded":
			t.Logf("  console %s: %s", p.Level, p.Text)
		case "network.responseCompleted":
			t.Logf("  %s %s %s → %d", p.Request.Request, p.Request.Method, ffShortURL(p.Request.URL), p.Response.Status)
		case "network.fetchError":
			t.Logf("  %s %s %s failed: %s", p.Request.Request, p.Request.Method, ffShortURL(p.Request.URL), p.ErrorText)
		case "network.beforeRequestSent":
			t.Logf("  %s %s %s sent", p.Request.Request, p.Request.Method, ffShortURL(p.Request.URL))
		default:
			t.Logf("  %s %s", e.Method, e.Params)
		}
	}
}

// ffShortURL shortens u for the log.
func ffShortURL(u string) string {
	if i := strings.Index(u, "/api/"); i >= 0 {
		return u[i:]
	}
	if len(u) > 80 {
		return u[:80]
	}
	return u
}
