package config

import (
	"strings"
	"testing"
	"time"
)

func TestAdminListen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr string
		want string // "" if valid
	}{
		{"", ""},
		{"127.0.0.1:9090", ""},
		{"[::1]:9090", ""},
		{"127.0.0.2:9090", ""},
		{"unix:/run/difesa/admin.sock", ""},
		{"unix:", "needs a path"},
		{"0.0.0.0:9090", "not on a loopback address"},
		{":9090", "not on a loopback address"},
		{"192.0.2.1:9090", "not on a loopback address"},
		{"localhost:9090", "not on a loopback address"},
		{"127.0.0.1", "not HOST:PORT"},
		{"127.0.0.1:8080", "also listen"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			c := Default()
			c.AdminListen = tt.addr
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "admin_listen: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want admin_listen: …%s", err, tt.want)
			}
		})
	}
}

func TestRetentionSettings(t *testing.T) {
	t.Parallel()
	errs := validateRetention(2, Hub{DeleteClosedAfter: Duration(time.Minute), WarnUnreadAfter: Duration(-time.Hour)})
	if len(errs) != 2 || !strings.Contains(errs[0].Error(), "hub[2].delete_closed_after") || !strings.Contains(errs[1].Error(), "hub[2].warn_unread_after") {
		t.Fatalf("errors: %v", errs)
	}
	if errs := validateRetention(0, Hub{DeleteClosedAfter: Duration(720 * time.Hour)}); len(errs) != 0 {
		t.Fatalf("720h refused: %v", errs)
	}
}

func TestAdminHosts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		hosts []string
		want  string // "" if valid
	}{
		{[]string{"metrics.internal", "scrape.example.org:9100", "[fd00::1]:9090", "[fd00::1]", "10.0.0.5"}, ""},
		{[]string{"http://metrics.internal"}, "not a port"},
		{[]string{"https:metrics"}, "not a port"},
		{[]string{"user@metrics.internal"}, "not a host name"},
		{[]string{"metrics.internal/backup"}, "not a host name"},
		{[]string{"*.example.org"}, "not a host name"},
		{[]string{""}, "not a host name"},
		{[]string{"metrics.internal:0"}, "not a port"},
		{[]string{"metrics.internal:http"}, "not a port"},
		{[]string{"fd00::1"}, "brackets"},
		{[]string{"[fe80::1%eth0]:9090"}, "brackets"},
	} {
		c := Default()
		c.AdminListen, c.AdminHosts = "127.0.0.1:9090", tt.hosts
		err := c.Validate()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%q refused: %v", tt.hosts, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "admin_hosts: ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want admin_hosts: …%s", tt.hosts, err, tt.want)
		}
	}
	c := Default()
	c.AdminHosts = []string{"metrics.internal"}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "without admin_listen") {
		t.Errorf("admin_hosts without admin_listen: %v", err)
	}
}
