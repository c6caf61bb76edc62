package notify

import (
	"net"
	"slices"
	"testing"

	"difesa.org/difesa/internal/testutil/socks5"
	"difesa.org/difesa/internal/wire"
)

// TestProxy delivers through a SOCKS5 proxy on loopback, to names only the
// proxy can resolve: nothing is looked up or connected to directly.
func TestProxy(t *testing.T) {
	t.Parallel()
	proxy := socks5.New(t)
	proxy.Alias("receiver.example.onion", "127.0.0.1")
	proxy.Alias("mail.example.onion", "127.0.0.1")

	secret := newSecret(t)
	r := newReceiver(t, secret)
	_, port, _ := net.SplitHostPort(r.Listener.Addr().String())
	hook := webhookChannel("hook", "http://receiver.example.onion:"+port+"/hook", secret)
	hook.Proxy = proxy.URL()

	srv := newSMTPServer(t, false, "mail.example.onion")
	mail := emailChannel(srv, t, "starttls")
	mail.SMTPHost = "mail.example.onion"

	direct := webhookChannel("direct", r.URL+"/direct", secret)
	direct.Proxy = "none"

	c := newClock()
	s := newTestStore(t, c)
	w, err := NewWorker(Options{
		Store: s, Now: c.Now, Proxy: proxy.URL(), // the default, for the mail channel
		Hubs: map[string]Hub{testHub: {URL: hubURL, Channels: []ChannelConfig{hook, mail, direct}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	submit(t, s, testHub, wire.EventAlertReceived, true)
	step(t, w)

	reqs := r.requests()
	if len(reqs) != 2 {
		t.Fatalf("got %d webhook requests, want 2", len(reqs))
	}
	for _, req := range reqs {
		if len(req.Verified) != 1 {
			t.Errorf("%s: signature not verified", req.Path)
		}
	}
	if n := len(srv.received()); n != len(mail.To) {
		t.Errorf("got %d mails through the proxy, want %d (one per recipient)", n, len(mail.To))
	}
	hosts := proxy.Hosts()
	slices.Sort(hosts)
	if !slices.Equal(hosts, []string{"mail.example.onion", "receiver.example.onion"}) {
		t.Errorf("the proxy was asked for %v", hosts)
	}
	if evs := events(t, s); len(evs) != 0 {
		t.Errorf("%d events left", len(evs))
	}
}
