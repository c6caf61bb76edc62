package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bench"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/manifest"
)

// child is difesad running in a process of its own (the test binary,
// TestMain's "difesad" role) on a data folder of the test's.
type child struct {
	p       *bench.Process
	hubURL  string
	dataDir string
	logFile string // every line the server logged
}

// responder is one responder identity, with a key file and a pin folder
// of its own, as on a computer of its own.
type responder struct {
	label string
	id    *age.HybridIdentity
	key   string // key file
	pins  string // configuration folder of its difesa commands
}

func newResponder(t *testing.T, label string) *responder {
	t.Helper()
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := &responder{label: label, id: id, key: filepath.Join(dir, "responder.key"), pins: filepath.Join(dir, "config")}
	if err := os.WriteFile(r.key, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return r
}

// hubConfig writes a difesad configuration of one hub, hubID, whose
// signed manifest lists the responders with their labels, logging at
// level debug and asking for no proof of work (the test's load is its
// own). More hubs can follow (hubBlock). It returns the configuration
// file.
func hubConfig(t *testing.T, hubID string, rs []*responder, more ...string) string {
	t.Helper()
	text := "log_level = \"debug\"\npow_max_bits = 0\n" + hubBlock(t, hubID, rs...) + strings.Join(more, "")
	cfg := filepath.Join(t.TempDir(), "difesad.toml")
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// hubBlock is the [[hub]] table of hub hubID, with a signed manifest of
// the responders.
func hubBlock(t *testing.T, hubID string, rs ...*responder) string {
	t.Helper()
	admin, err := manifest.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nhub: %s\nepoch: 1\nissued: 2026-11-23\nprevious: none\n", manifest.Header, hubID)
	for _, r := range rs {
		fmt.Fprintf(&b, "recipient: %s responder %s\n", r.id.Recipient(), r.label)
	}
	signed, err := manifest.Sign(admin, []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	mf := filepath.Join(t.TempDir(), hubID+".manifest.json")
	if err := os.WriteFile(mf, signed.Marshal(), 0o600); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("\n[[hub]]\nid = %q\nname = \"Hub %s\"\nadmin_key = %q\nmanifest_file = %q\n",
		hubID, hubID, admin.Public().String(), mf)
}

// startDifesad runs difesad on cfg in a child process and stops it when
// the test ends.
func startDifesad(t *testing.T, cfg string) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := &child{dataDir: filepath.Join(dir, "data"), logFile: filepath.Join(dir, "difesad.log")}
	cmd := exec.Command(exe, "-config", cfg, "-listen", "127.0.0.1:0", "-data", c.dataDir)
	cmd.Env = append(os.Environ(), roleEnv+"=difesad", logEnv+"="+c.logFile, "DIFESA_CONFIG=", "DIFESA_LISTEN=", "DIFESA_DATA=")
	if c.p, err = bench.StartProcess(cmd); err != nil {
		t.Fatal(err)
	}
	c.hubURL = c.p.HubURL
	t.Cleanup(func() {
		select {
		case <-c.p.Exited():
		default:
			c.p.Kill()
		}
	})
	return c
}

// stop shuts the server down cleanly, so that everything it would write
// is in its database and its log.
func (c *child) stop(t *testing.T) {
	t.Helper()
	if err := c.p.Stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// logs returns every line the server logged so far.
func (c *child) logs(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(c.logFile)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// database returns the raw bytes of the server's bbolt file.
func (c *child) database(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dataDir, daemon.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// result is what one difesa process did.
type result struct {
	code           int
	stdout, stderr string
}

// commandTimeout bounds one difesa process; none of the tests' takes a
// second.
const commandTimeout = 2 * time.Minute

// difesaIn runs "difesa args…" in a process of its own (the test binary,
// TestMain's "difesa" role) with its configuration (pins) in dir.
func difesaIn(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	r, err := difesaProcess(dir, stdin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// difesaProcess is [difesaIn] for a goroutine: it reports what failed
// to run rather than failing the test.
func difesaProcess(dir, stdin string, args ...string) (result, error) {
	exe, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), roleEnv+"=difesa", client.ConfigDirEnv+"="+dir, "ALL_PROXY=", "all_proxy=")
	var so, se bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &so, &se
	err = cmd.Run()
	r := result{stdout: so.String(), stderr: se.String()}
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return r, fmt.Errorf("difesa %s: %w", strings.Join(args, " "), err)
		}
		r.code = ee.ExitCode()
	}
	return r, nil
}

// caseArgs is the command line of "difesa case SUB" as r on hub.
func (r *responder) caseArgs(hub, sub string, args ...string) []string {
	return append([]string{"case", sub, "-hub", hub, "-i", r.key}, args...)
}

// must runs "difesa case SUB args…" as r, failing the test unless it
// succeeds, and returns its standard output.
func (r *responder) must(t *testing.T, hub, sub string, args ...string) string {
	t.Helper()
	full := r.caseArgs(hub, sub, args...)
	res := difesaIn(t, r.pins, "", full...)
	if res.code != 0 {
		t.Fatalf("%s: difesa %s: exit %d\n%s", r.label, strings.Join(full, " "), res.code, res.stderr)
	}
	return res.stdout
}
