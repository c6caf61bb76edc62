package client

import (
	"errors"
	"strings"
	"testing"
)

func TestParseHubURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in   string
		base, hub  string
		wantErrSub string
	}{
		{name: "loopback", in: "http://127.0.0.1:8080/hubs/demo", base: "http://127.0.0.1:8080", hub: "demo"},
		{name: "trailing slash", in: "http://127.0.0.1:8080/hubs/demo/", base: "http://127.0.0.1:8080", hub: "demo"},
		{name: "onion", in: "http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuv.onion/hubs/ngo-1",
			base: "http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuv.onion", hub: "ngo-1"},
		{name: "https", in: "https://hub.example.org/hubs/x", base: "https://hub.example.org", hub: "x"},
		{name: "prefix", in: "https://example.org/difesa/hubs/x", base: "https://example.org/difesa", hub: "x"},
		{name: "upper scheme and host", in: "HTTP://Example.ORG/hubs/x", base: "http://example.org", hub: "x"},
		{name: "ipv6", in: "http://[::1]:8080/hubs/demo", base: "http://[::1]:8080", hub: "demo"},
		{name: "spaces", in: "  http://127.0.0.1/hubs/demo\n", base: "http://127.0.0.1", hub: "demo"},

		{name: "empty", in: "", wantErrSub: "empty"},
		{name: "no scheme", in: "127.0.0.1:8080/hubs/demo", wantErrSub: "scheme"},
		{name: "host only", in: "example.org/hubs/demo", wantErrSub: "scheme"},
		{name: "ftp", in: "ftp://example.org/hubs/demo", wantErrSub: "http or https"},
		{name: "no host", in: "http:///hubs/demo", wantErrSub: "no host"},
		{name: "no hub", in: "http://example.org/", wantErrSub: "/hubs/ID"},
		{name: "api path", in: "http://example.org/api/v1/hubs/demo/submissions", wantErrSub: "hub id"},
		{name: "recipients path", in: "http://example.org/hubs/demo/recipients.txt", wantErrSub: "hub id"},
		{name: "upper hub", in: "http://example.org/hubs/Demo", wantErrSub: "hub id"},
		{name: "long hub", in: "http://example.org/hubs/" + "a23456789012345678901234567890123", wantErrSub: "hub id"},
		{name: "dash first", in: "http://example.org/hubs/-demo", wantErrSub: "hub id"},
		{name: "user", in: "http://me:pw@example.org/hubs/demo", wantErrSub: "user name"},
		{name: "query", in: "http://example.org/hubs/demo?x=1", wantErrSub: "query"},
		{name: "fragment", in: "http://example.org/hubs/demo#top", wantErrSub: "fragment"},
		{name: "bad port", in: "http://example.org:http/hubs/demo", wantErrSub: "URL"},
		{name: "dotdot", in: "http://example.org/a/../hubs/demo", wantErrSub: "clean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base, hub, err := ParseHubURL(tt.in)
			if tt.wantErrSub != "" {
				if err == nil {
					t.Fatalf("ParseHubURL(%q) = %q, %q; want error", tt.in, base, hub)
				}
				if !errors.Is(err, ErrBadHubURL) {
					t.Errorf("error %v does not wrap ErrBadHubURL", err)
				}
				if !strings.Contains(err.Error(), tt.wantErrSub) {
					t.Errorf("error %q does not mention %q", err, tt.wantErrSub)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseHubURL(%q): %v", tt.in, err)
			}
			if base != tt.base || hub != tt.hub {
				t.Errorf("ParseHubURL(%q) = %q, %q; want %q, %q", tt.in, base, hub, tt.base, tt.hub)
			}
		})
	}
}

func FuzzParseHubURL(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:8080/hubs/demo", "https://x.onion/p/hubs/a-b", "http://[::1]/hubs/x/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		base, hub, err := ParseHubURL(s)
		if err != nil {
			return
		}
		b2, h2, err := ParseHubURL(base + "/hubs/" + hub)
		if err != nil || b2 != base || h2 != hub {
			t.Errorf("%q → %q %q does not round-trip: %q %q %v", s, base, hub, b2, h2, err)
		}
	})
}
