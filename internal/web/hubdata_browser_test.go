package web_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/testserver"
)

// TestBrowserRefusesAlteredEmbeddedManifest: the report page carries the
// signed manifest as text (#hubdata, hubdata.go), and the page checks its
// signature before it lets anyone write. A page whose embedded text was
// changed on the way (its day of issue, by a proxy in front of a real
// hub: a manifest that still parses) says the list could not be verified, and its fields stay
// disabled; the same page unchanged, through the same proxy, verifies.
func TestBrowserRefusesAlteredEmbeddedManifest(t *testing.T) {
	srv := testserver.New(t)
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	alter := false
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host
		r.Out.Header.Del("Accept-Encoding") // the proxy edits plain text
	}}
	proxy.ModifyResponse = func(r *http.Response) error {
		if !alter || !strings.HasSuffix(r.Request.URL.Path, "/report") {
			return nil
		}
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return err
		}
		i := bytes.Index(b, []byte(`"manifest_text":"`))
		j := bytes.Index(b, []byte(`issued: `))
		if i < 0 || j < i {
			t.Errorf("no manifest text in the page")
		} else {
			// Another valid day of issue: a manifest that parses, whose
			// signature does not cover it.
			day := b[j+len("issued: YYYY-MM-") : j+len("issued: YYYY-MM-DD")]
			if string(day) == "01" {
				copy(day, "02")
			} else {
				copy(day, "01")
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	ps := httptest.NewServer(proxy)
	t.Cleanup(ps.Close)

	ctx := newBrowser(t)
	step(t, ctx, "unchanged page", chromedp.Navigate(ps.URL+"/hubs/demo/report?lang=en"), chromedp.WaitVisible("#epoch"))

	alter = true
	step(t, ctx, "altered page", chromedp.Navigate(ps.URL+"/hubs/demo/report?lang=en"), chromedp.WaitVisible("#error"))
	if s := text(t, ctx, "#error"); !strings.Contains(s, "could not be verified") {
		t.Fatalf("error shown: %q", s)
	}
	disabled, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('fields').disabled`))
	if err != nil {
		t.Fatal(err)
	}
	if !disabled {
		t.Fatal("the fields are enabled on a page whose key list did not verify")
	}
}
