package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/bidi"
	"difesa.org/difesa/internal/web"
)

// stallingHub is a loopback proxy in front of a real hub that, while
// holding, never answers the proof-of-work question nor an upload: a hub
// that stops answering in the middle of a send.
type stallingHub struct {
	URL  string
	mu   sync.Mutex
	hold bool
	held map[string]int // requests held, by "METHOD path"
}

func newStallingHub(t *testing.T, srv *testserver.Server) *stallingHub {
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	h := &stallingHub{hold: true, held: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(target)
	stop := make(chan struct{})
	ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stalls := strings.HasSuffix(r.URL.Path, "/pow") || (r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/submissions"))
		h.mu.Lock()
		hold := h.hold && stalls
		if hold {
			h.held[r.Method+" "+r.URL.Path]++
		}
		h.mu.Unlock()
		if hold {
			select { // until the page gives up (or the test ends)
			case <-r.Context().Done():
			case <-stop:
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(ps.Close)
	t.Cleanup(func() { close(stop) }) // first: the held requests end
	h.URL = ps.URL
	return h
}

func (h *stallingHub) release() {
	h.mu.Lock()
	h.hold = false
	h.mu.Unlock()
}

func (h *stallingHub) heldCount(key string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held[key]
}

// TestFirefoxStalledHub: when the hub stops answering in the middle of a
// send (the proof-of-work question and the upload both left hanging), the
// page does not sit idle: it gives up the question and sends all the same,
// then gives up the upload with an error that says so, keeps what was
// written, and sending again, once the hub answers, reaches the codename
// screen. The page's stall bound (limits.stallMs, 90 s) is shortened for
// the test.
func TestFirefoxStalledHub(t *testing.T) {
	srv := testserver.New(t)
	b := firefox(t, bidi.Standard)
	hub := newStallingHub(t, srv)
	b.SetViewport(1400, 900)
	b.Navigate(hub.URL + "/hubs/demo/report?lang=en")
	b.WaitFor(bidi.Enabled("#narrative"), ffWait)
	b.EvalPage(`(() => { if (difesa.limits) difesa.limits.stallMs = 1500; return true; })()`, nil, ffWait)
	b.Type("#narrative", "They follow me home.")
	start := time.Now()
	b.Click("#send")
	b.WaitFor(bidi.Visible("#error"), 30*time.Second)
	t.Logf("the page gave up after %v", time.Since(start).Round(time.Millisecond))
	if got, want := b.Text("#error"), web.T("en", "js_hub_unreachable"); got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if n := hub.heldCount("GET /api/v1/hubs/demo/pow"); n != 1 {
		t.Errorf("the page asked for work %d times", n)
	}
	if n := hub.heldCount("POST /api/v1/hubs/demo/submissions"); n != 1 {
		t.Errorf("the page sent %d uploads to the stalled hub, want 1 (it must send without the answer)", n)
	}
	var kept struct {
		Narrative string
		Send      bool
	}
	b.Eval(`({Narrative: document.querySelector('#narrative').value, Send: !document.querySelector('#send').matches(':disabled')})`, &kept)
	if kept.Narrative != "They follow me home." || !kept.Send {
		t.Fatalf("after the stall the form is %+v: not kept, or not ready to send again", kept)
	}

	hub.release()
	b.Click("#send")
	b.WaitFor(bidi.Visible("#codename"), ffWait)
	resp := login(t, srv.URL+"/api/v1/hubs/demo", loadIdentity(t, srv.IdentityFile))
	if subs := resp.submissions(); len(subs) != 1 {
		t.Errorf("%d submissions stored, want 1", len(subs))
	}
}
