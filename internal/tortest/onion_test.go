package tortest_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/cli"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/tortest"
)

// TestSubmitAndOpenOverOnion runs difesad behind a real v3 onion service
// on a private Tor network, as in production: difesad listens on a unix
// socket that only Tor reaches. A defender submits a report through the
// client's SOCKS port to the .onion address and a responder opens it, also
// through Tor, and finds the exact text.
func TestSubmitAndOpenOverOnion(t *testing.T) {
	if testing.Short() {
		t.Skip("tortest: a private Tor network takes about half a minute to start; skipped with -short (the full test run has it)")
	}
	start := time.Now()
	dir := t.TempDir()
	t.Setenv(client.ConfigDirEnv, filepath.Join(dir, "pins"))

	cfg := config.Default()
	socket := filepath.Join(dir, "difesad.sock")
	cfg.Listen = "unix:" + socket
	cfg.DataDir = filepath.Join(dir, "data")
	inst, err := daemon.Start(cfg, daemon.NewLogger(io.Discard, "text", "error"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		inst.Shutdown(ctx)
	})

	net := tortest.Start(t, "unix:"+socket)
	t.Logf("private Tor network bootstrapped, onion service published in %v", net.Bootstrap.Round(time.Millisecond))

	hub := "http://" + net.Onion + "/hubs/" + daemon.DemoHubID
	const text = "sent over a real onion service: città, 12 of May"
	began := time.Now()
	id := strings.TrimSpace(run(t, net, "submit", "-hub", hub, "-proxy", net.SocksURL, "-m", text))
	t.Logf("submit over Tor: %v", time.Since(began).Round(time.Millisecond))

	began = time.Now()
	out := run(t, net, "open", "-hub", hub, "-proxy", net.SocksURL,
		"-i", inst.DemoIdentity, "-o", filepath.Join(dir, "opened"), id)
	t.Logf("open over Tor: %v", time.Since(began).Round(time.Millisecond))
	if !strings.Contains(out, text) {
		t.Errorf("open printed:\n%s\nwant the text %q", out, text)
	}
	t.Logf("whole test: %v", time.Since(start).Round(time.Millisecond))
}

// run runs the CLI in-process and returns its standard output, failing the
// test, with the tors' logs, if it does not succeed.
func run(t *testing.T, net *tortest.Network, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := cli.Main(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("difesa %s: exit %d\n%s\ntor logs:%s", strings.Join(args, " "), code, stderr.String(), net.Logs())
	}
	return stdout.String()
}
