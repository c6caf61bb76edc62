package notify

import (
	"strings"
	"testing"
)

// TestDestinationURLs checks the addresses a channel may send to. A
// webhook's body and signature, and an ntfy token, travel in the request:
// plain http is allowed only where nobody on the way can read it, an onion
// service (Tor encrypts end to end) or this machine.
func TestDestinationURLs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url  string
		want string // "" accepted, or a part of the error
	}{
		{"https://hooks.example.org/difesa", ""},
		{"https://hooks.example.org:8443/difesa?x=1", ""},
		{"HTTPS://Hooks.Example.org/difesa", ""},
		{"https://203.0.113.7/h", ""},
		{"https://[2001:db8::1]:8443/h", ""},
		{"http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuv.onion/difesa", ""},
		{"http://ABCDEF.ONION/difesa", ""},
		{"http://127.0.0.1:8080/h", ""},
		{"http://127.9.9.9/h", ""},
		{"http://[::1]:8080/h", ""},
		{"http://[::ffff:127.0.0.1]:8080/h", ""},
		{"http://localhost:8080/h", ""},
		{"HTTP://LOCALHOST/h", ""},

		{"http://hooks.example.org/difesa", "plain http"},
		{"HTTP://hooks.example.org/difesa", "plain http"},
		{"http://203.0.113.7:8080/h", "plain http"},
		{"http://10.0.0.5/h", "plain http"},
		{"http://192.168.1.10/h", "plain http"},
		{"http://[2001:db8::1]/h", "plain http"},
		{"http://[fe80::1%25eth0]/h", "plain http"},
		{"http://onion/h", "plain http"},
		{"http://example.onion.evil.org/h", "plain http"},
		{"http://localhost.evil.org/h", "plain http"},
		{"http://127.0.0.1.nip.io/h", "plain http"},
		{"http://0x7f000001/h", "plain http"},

		{"", "missing"},
		{"ftp://hooks.example.org/", "https://"},
		{"ws://127.0.0.1/", "https://"},
		{"hooks.example.org/difesa", "https://"},
		{"https://", "no host"},
		{"https:///difesa", "no host"},
		{"https://:443/difesa", "no host"},
		{"https:hooks.example.org", "no host"},
		{"https://user:pass@hooks.example.org/", "credentials"},
		{"https://user@hooks.example.org/", "credentials"},
		{"http://user@127.0.0.1/", "credentials"},
		{"https://hooks.example.org/\x00", "not a URL"},
		{"https://hooks example.org/", "not a URL"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			err := checkDestination(tc.url)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && err == nil:
				t.Errorf("accepted, want an error with %q", tc.want)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
}

// TestPlainHTTPChannelsRefused: the configuration check, the worker and
// the test command all refuse a webhook or ntfy server on plain http to a
// public host, and say which setting to fix.
func TestPlainHTTPChannelsRefused(t *testing.T) {
	t.Parallel()
	secret := newSecret(t)
	hook := webhookChannel("hook", "http://hooks.example.org/difesa", secret)
	ntfy := ChannelConfig{Name: "phones", Type: TypeNtfy, Server: "http://ntfy.example.org", Topic: "difesa-it-7hq3x", Token: "tk_abc"}
	for _, c := range []struct {
		ch      ChannelConfig
		setting string
	}{{hook, "url: "}, {ntfy, "server: "}} {
		err := ValidateChannels([]ChannelConfig{c.ch})
		if err == nil || !strings.Contains(err.Error(), c.setting) || !strings.Contains(err.Error(), "plain http") {
			t.Errorf("%s: configuration check: %v", c.ch.Name, err)
		}
		res := TestChannels(t.Context(), testHub, Hub{URL: hubURL, Channels: []ChannelConfig{c.ch}}, "")
		if len(res) != 1 || res[0].OK() || !strings.Contains(res[0].Problem, "plain http") {
			t.Errorf("%s: test send: %+v", c.ch.Name, res)
		}
	}
}
