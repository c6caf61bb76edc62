package notify

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"difesa.org/difesa/internal/testutil/socks5"
)

func TestTestChannels(t *testing.T) {
	t.Parallel()
	secret := newSecret(t)
	ok := newReceiver(t, secret)
	failing := newReceiver(t, secret)
	failing.body = "database is down\nstack trace…"
	failing.answer(500)
	forbidden := newReceiver(t, secret)
	forbidden.answer(403)
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(tlsSrv.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	proxy := socks5.New(t)
	viaProxy := webhookChannel("unknown-onion", "http://nowhere.example.onion/hook", secret)
	viaProxy.Proxy = proxy.URL()
	deadProxy := webhookChannel("dead-proxy", ok.URL, secret)
	deadProxy.Proxy = "socks5h://" + ln.Addr().String()

	chs := []ChannelConfig{
		webhookChannel("ok", ok.URL, secret),
		webhookChannel("status", failing.URL, secret),
		webhookChannel("forbidden", forbidden.URL, secret),
		webhookChannel("refused", closed, secret),
		webhookChannel("tls", tlsSrv.URL, secret),
		webhookChannel("dns", "https://nonexistent.invalid/hook", secret),
		viaProxy,
		deadProxy,
		{Name: "broken", Type: TypeWebhook, URL: ok.URL, Secret: "not-a-secret"},
	}
	res := TestChannels(t.Context(), testHub, Hub{URL: hubURL, Channels: chs}, "")
	want := []string{
		"",
		"the receiver has a problem of its own (HTTP 500)",
		"check the secret or token",
		"connection refused",
		"not signed by an authority we trust",
		"could not be found (DNS)",
		"the proxy could not reach the receiver",
		"the proxy could not be reached",
		"secret: must start with whsec_",
	}
	for i, r := range res {
		t.Logf("%-14s %s", r.Channel, r.Problem)
		if r.Channel != chs[i].Name {
			t.Errorf("result %d is for %s, want %s", i, r.Channel, chs[i].Name)
		}
		if want[i] == "" {
			if !r.OK() {
				t.Errorf("%s: %v", r.Channel, r.Err)
			}
			continue
		}
		if r.Channel == "dns" && !strings.Contains(r.Problem, "DNS") {
			t.Logf("dns: no DNS error on this machine (%v); skipped", r.Err)
			continue
		}
		if r.OK() || !strings.Contains(r.Problem, want[i]) {
			t.Errorf("%s: problem %q, want %q", r.Channel, r.Problem, want[i])
		}
	}
	if p := res[1].Problem; !strings.Contains(p, "database is down") || strings.Contains(p, "stack trace") {
		t.Errorf("status problem %q: want the first line of the body only", p)
	}
	if got := ok.requests(); len(got) != 1 || !strings.Contains(string(got[0].Body), `"type":"test"`) || len(got[0].Verified) != 1 {
		t.Errorf("the test notification: %+v", got)
	}
}
