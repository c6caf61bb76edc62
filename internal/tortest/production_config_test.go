package tortest_test

import (
	"path/filepath"
	"strings"
	"testing"

	"difesa.org/difesa/internal/config"
)

// TestProductionConfig keeps config/difesad.production.toml, the file
// docs/deploy.md installs next to the Tor configuration of this package's
// network, loadable and valid: every setting known, every hub's manifest
// signed by its admin key, and the settings a deployment behind Tor needs.
func TestProductionConfig(t *testing.T) {
	path := filepath.Join("..", "..", "config", "difesad.production.toml")
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(cfg.Hubs) < 2 {
		t.Errorf("%s: %d hubs, want several", path, len(cfg.Hubs))
	}
	if !strings.HasPrefix(cfg.Listen, "unix:") {
		t.Errorf("listen = %q, want a unix socket for Tor", cfg.Listen)
	}
	if !strings.HasPrefix(cfg.NotifyProxy, "socks5h://127.0.0.1:") {
		t.Errorf("notify_proxy = %q, want Tor's SOCKS port on loopback", cfg.NotifyProxy)
	}
}
