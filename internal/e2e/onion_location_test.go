package e2e

import (
	"net/http"
	"testing"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
)

// TestOnionLocationFromConfig: the configured onion address reaches the
// pages' Onion-Location header through the daemon.
func TestOnionLocationFromConfig(t *testing.T) {
	cfg := config.Default()
	cfg.OnionAddress = "http://difesaexampleonionaddressxyzxyzxyzxyzxyzxyzxyzxyzxyzxyz.onion"
	srv := testserver.NewWithConfig(t, cfg)
	resp, err := http.Get(srv.HubURL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Onion-Location"); got != cfg.OnionAddress+"/hubs/demo/" {
		t.Fatalf("Onion-Location = %q", got)
	}
}
