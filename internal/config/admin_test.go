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
