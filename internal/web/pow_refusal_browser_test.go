package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/web"
)

// TestBrowserRefusesTooMuchWork: a hub (here a proxy in front of a real
// one) that asks for more proof of work than any hub may gets nothing,
// and the page says so in its own language, telling the defender not to
// send: such a hub is broken or in hostile hands.
func TestBrowserRefusesTooMuchWork(t *testing.T) {
	srv := testserver.New(t)
	target, _ := url.Parse(srv.URL)
	var posts atomic.Int32
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host
	}}
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/api/v1/hubs/demo/pow":
			// A well-formed challenge (docs/pow.md) for 20 bits: the page
			// must refuse it before any work, on its bits alone.
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"challenge":"v1.demo.%d.20.%s.%s"}`, time.Now().Add(time.Minute).Unix(), strings.Repeat("A", 22), strings.Repeat("B", 43))
			return
		case r.Method == http.MethodPost:
			posts.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(hostile.Close)

	ctx := newBrowser(t)
	for _, lang := range []string{"it", "en"} {
		step(t, ctx, "report page "+lang,
			chromedp.Navigate(hostile.URL+"/hubs/demo/report?lang="+lang),
			chromedp.WaitEnabled("#narrative"),
			chromedp.WaitVisible("#epoch"),
		)
		step(t, ctx, "send "+lang,
			chromedp.SendKeys("#narrative", "they followed me home"),
			chromedp.Click("#send"),
			chromedp.WaitVisible("#error"),
		)
		want := web.T(lang, "js_pow_too_hard", 20, 16)
		if want == "js_pow_too_hard" || strings.Contains(want, "{") {
			t.Fatalf("%s: no message for the refusal: %q", lang, want)
		}
		if got := text(t, ctx, "#error"); got != want {
			t.Errorf("%s: the page says %q, want %q", lang, got, want)
		}
	}
	if n := posts.Load(); n != 0 {
		t.Errorf("%d uploads reached the hub; a refused challenge must send nothing", n)
	}
}
