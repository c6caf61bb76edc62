package cli_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/pow"
)

// bufferingProxy is an HTTP proxy that reads each request's body whole
// before it forwards it, as some proxies do: the hub's refusal then comes
// after the body has left the client.
func bufferingProxy(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var uploads atomic.Int32
	p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if r.Method == http.MethodPost {
			uploads.Add(1)
		}
		out, _ := http.NewRequest(r.Method, r.URL.String(), bytes.NewReader(body))
		out.Header = r.Header.Clone()
		out.Header.Del("Expect")
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	t.Cleanup(p.Close)
	return p, &uploads
}

// Under load the CLI solves the hub's challenge and sends again, directly
// and through a proxy that reads the body before the hub can refuse it.
func TestPoWUnderLoad(t *testing.T) {
	pins := filepath.Join(t.TempDir(), "pins")
	cfg := config.Default()
	cfg.PoWMinBits, cfg.PoWMaxBits = 12, 12
	srv := newServer(t, cfg)
	srv.Instance.PoW.SetLoad(func() pow.Load { return pow.Load{InFlight: 1 << 20} })

	out, _ := must(t, pins, "submit", "-hub", srv.HubURL, "-no-codename", "-m", "a report while the hub is busy")
	if strings.TrimSpace(out) == "" {
		t.Fatal("no submission id")
	}

	proxy, uploads := bufferingProxy(t)
	out, stderr := must(t, pins, "alert", "-hub", srv.HubURL, "-proxy", proxy.URL, "-m", "an alert through a proxy")
	if strings.TrimSpace(out) == "" || !strings.Contains(stderr, "sending again") || uploads.Load() != 2 {
		t.Fatalf("alert through a buffering proxy: %d uploads\n%s%s", uploads.Load(), out, stderr)
	}
}

// busyProxy answers the first refusals uploads 503 unavailable with
// Retry-After: 1, as a hub whose upload slots are all taken does, and
// forwards everything else to target.
func busyProxy(t *testing.T, target string, refusals int32) (*httptest.Server, *atomic.Int32) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	var refused atomic.Int32
	p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && refused.Load() < refusals {
			refused.Add(1)
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":{"code":"unavailable","message":"every upload slot is taken"}}`)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p, &refused
}

// A briefly busy hub gets the same report again after its Retry-After;
// one that stays busy gets an explanation, not a hang.
func TestBusyHubIsTriedAgain(t *testing.T) {
	pins := filepath.Join(t.TempDir(), "pins")
	srv := newServer(t, config.Default())
	proxy, refused := busyProxy(t, srv.URL, 2)
	hub := proxy.URL + "/hubs/demo"
	out, stderr := must(t, pins, "submit", "-hub", hub, "-no-codename", "-m", "a report while every slot is taken")
	if strings.TrimSpace(out) == "" || strings.Count(stderr, "sending again in 1s") != 2 || refused.Load() != 2 {
		t.Fatalf("submit to a briefly busy hub: %d refusals\n%s%s", refused.Load(), out, stderr)
	}

	proxy, refused = busyProxy(t, srv.URL, 100)
	code, _, stderr := run(t, pins, "alert", "-hub", proxy.URL+"/hubs/demo", "-m", "an alert to a hub that stays busy")
	if code == 0 || refused.Load() != 1+3 || !strings.Contains(stderr, "unavailable") {
		t.Fatalf("alert to a hub that stays busy: exit %d after %d refusals\n%s", code, refused.Load(), stderr)
	}
}
