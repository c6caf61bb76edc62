// Package testserver starts a real difesad, with the embedded demo hub, on
// loopback and a real bbolt file in a temporary folder, for tests of other
// packages. Everything the server logs is kept, so tests can scan it.
package testserver

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/testutil/syncbuf"
)

// Server is a running test server.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234.
	URL string
	// HubURL is the demo hub's address.
	HubURL string
	// IdentityFile is the demo hub's responder identity, and AdminKeyFile
	// its admin key.
	IdentityFile, AdminKeyFile string
	// DataDir is the server's data folder.
	DataDir string
	// Instance is the running daemon.
	Instance *daemon.Instance

	logs *syncbuf.Buffer
}

// New starts a demo server that stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	return NewWithConfig(t, config.Default())
}

// NewWithConfig starts a server with cfg; Listen and DataDir are replaced
// by a loopback port and a temporary folder (unless DataDir is set).
func NewWithConfig(t testing.TB, cfg *config.Config) *Server {
	t.Helper()
	return NewWithOptions(t, cfg, Options{})
}

// Options tune [NewWithOptions]; the zero value is [NewWithConfig].
type Options struct {
	// Now, if set, is the server's clock (see [daemon.StartOptions]).
	Now func() time.Time
}

// NewWithOptions is [NewWithConfig] with options.
func NewWithOptions(t testing.TB, cfg *config.Config, o Options) *Server {
	t.Helper()
	cfg.Listen = "127.0.0.1:0"
	if cfg.DataDir == "" || cfg.DataDir == config.DefaultDataDir {
		cfg.DataDir = filepath.Join(t.TempDir(), "data")
	}
	logs := &syncbuf.Buffer{}
	inst, err := daemon.StartWith(cfg, daemon.NewLogger(logs, "json", "debug"), daemon.StartOptions{Now: o.Now})
	if err != nil {
		t.Fatalf("testserver: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		inst.Shutdown(ctx)
	})
	return &Server{
		URL:          inst.URL,
		HubURL:       inst.HubURL(daemon.DemoHubID),
		IdentityFile: inst.DemoIdentity,
		AdminKeyFile: inst.DemoAdminKey,
		DataDir:      cfg.DataDir,
		Instance:     inst,
		logs:         logs,
	}
}

var fixedDate = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// Logs returns everything the server has logged so far.
func (s *Server) Logs() string { return s.logs.String() }

// AdminKey reads the demo hub's admin secret key (AdminKeyFile), for a
// test that signs manifests, bulletins or forms.
func (s *Server) AdminKey(t testing.TB) *manifest.SecretKey {
	t.Helper()
	f, err := os.Open(s.AdminKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sk, err := manifest.ParseSecretKeyFile(f)
	if err != nil {
		t.Fatalf("testserver: unable to read the admin key: %v", err)
	}
	return sk
}
