package daemon

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/store"
)

func startDemo(t *testing.T, dir string) *Instance {
	t.Helper()
	cfg := config.Default()
	cfg.Listen, cfg.DataDir = "127.0.0.1:0", dir
	inst, err := Start(cfg, NewLogger(&bytes.Buffer{}, "text", "info"))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func TestDemoKeepsItsHubAcrossRestarts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	inst := startDemo(t, dir)
	first := string(inst.Hubs.Get(DemoHubID).RecipientsFile())
	inst.Shutdown(context.Background())

	fi, err := os.Stat(inst.DemoIdentity)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("identity file mode %v, want 0600", fi.Mode().Perm())
	}
	if di, _ := os.Stat(dir); di.Mode().Perm() != 0o700 {
		t.Fatalf("data folder mode %v, want 0700", di.Mode().Perm())
	}
	b, _ := os.ReadFile(inst.DemoIdentity)
	if !strings.Contains(string(b), "AGE-SECRET-KEY-PQ-1") {
		t.Fatal("demo identity is not post-quantum")
	}

	inst = startDemo(t, dir)
	defer inst.Shutdown(context.Background())
	if got := string(inst.Hubs.Get(DemoHubID).RecipientsFile()); got != first {
		t.Fatalf("recipients changed across restart:\n%s\n%s", first, got)
	}
}

func TestDemoRefusesDamagedIdentity(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	os.Mkdir(dir, 0o700)
	os.WriteFile(filepath.Join(dir, DemoIdentityFile), []byte("AGE-SECRET-KEY-1NOTAKEY\n"), 0o600)
	cfg := config.Default()
	cfg.Listen, cfg.DataDir = "127.0.0.1:0", dir
	if _, err := Start(cfg, NewLogger(&bytes.Buffer{}, "text", "info")); err == nil || !strings.Contains(err.Error(), "delete the data folder") {
		t.Fatalf("damaged identity: %v", err)
	}
}

func TestMainFlagsAndErrors(t *testing.T) {
	env := func(string) string { return "" }
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"help", []string{"-h"}, 0, "Usage:"},
		{"unknown flag", []string{"-nope"}, 2, "Usage:"},
		{"extra argument", []string{"bogus"}, 2, `unexpected argument "bogus"`},
		{"missing config", []string{"-config", "/nonexistent/difesad.toml"}, 1, "no such file"},
		{"busy port", []string{"-listen", "256.0.0.1:1", "-data", filepath.Join(t.TempDir(), "d")}, 1, "unable to listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := Main(tt.args, &out, &errb, env); code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errb.String())
			}
			if !strings.Contains(errb.String()+out.String(), tt.want) {
				t.Fatalf("output lacks %q: %s", tt.want, errb.String())
			}
		})
	}
}

func TestConfigProblemsAreAllReported(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(path, []byte(`
listen = ""
log_format = "xml"
[[hub]]
id = "Bad ID"
admin_key = "difesa-admin-ed25519:AAAA"
manifest_file = "m.json"
[[hub]]
id = "ok"
`), 0o600)
	var out, errb bytes.Buffer
	if code := Main([]string{"-config", path}, &out, &errb, func(string) string { return "" }); code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"listen:", "log_format:", "hub[0]", "invalid id", "hub[1]", "admin_key: missing"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
}

func TestConfigTypoIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.toml")
	os.WriteFile(path, []byte("listne = \"127.0.0.1:1\"\n"), 0o600)
	var out, errb bytes.Buffer
	Main([]string{"-config", path}, &out, &errb, func(string) string { return "" })
	if !strings.Contains(errb.String(), "unknown settings: listne") {
		t.Fatalf("stderr: %s", errb.String())
	}
}

func TestErrorLogHidesAddresses(t *testing.T) {
	var buf bytes.Buffer
	stdlog := newAddrFreeLogger(NewLogger(&buf, "text", "info").Handler())
	for _, line := range []string{
		"http: TLS handshake error from 203.0.113.7:5555: EOF",
		"http: TLS handshake error from [2001:db8::1]:443: EOF",
		"http: error from 2001:db8:0:0:1::7 reading",
	} {
		buf.Reset()
		stdlog.Print(line)
		for _, leak := range []string{"203.0.113.7", "2001:db8"} {
			if strings.Contains(buf.String(), leak) {
				t.Errorf("address leaked: %s", buf.String())
			}
		}
		if !strings.Contains(buf.String(), "[address]") {
			t.Errorf("no placeholder in %q", buf.String())
		}
	}
}

func TestDataFolderPermissions(t *testing.T) {
	open := filepath.Join(t.TempDir(), "open")
	os.Mkdir(open, 0o755)
	var out, errb bytes.Buffer
	if code := Main([]string{"-data", open, "-listen", "127.0.0.1:0"}, &out, &errb, func(string) string { return "" }); code != 1 {
		t.Fatalf("started on a 0755 data folder: exit %d", code)
	}
	if !strings.Contains(errb.String(), "chmod 700 "+open) {
		t.Fatalf("no fix given: %s", errb.String())
	}
	os.Chmod(open, 0o700)
	os.WriteFile(filepath.Join(open, DatabaseFile), nil, 0o644)
	errb.Reset()
	if code := Main([]string{"-data", open, "-listen", "127.0.0.1:0"}, &out, &errb, func(string) string { return "" }); code != 1 || !strings.Contains(errb.String(), "chmod 600") {
		t.Fatalf("started on a 0644 database: %s", errb.String())
	}
}

func storeSubmission() store.Submission { return store.Submission{Kind: "report"} }

// TestDemoWelcomeFollowsTheManifest: after a change of keys that removes
// the demo responder, the start-up text no longer points at its identity,
// and names the keys the hub lists now.
func TestDemoWelcomeFollowsTheManifest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	inst := startDemo(t, dir)
	var before bytes.Buffer
	inst.PrintWelcome(&before)
	if !strings.Contains(before.String(), "inbox  -hub "+inst.HubURL(DemoHubID)+" -i "+inst.DemoIdentity) {
		t.Fatalf("the first welcome does not use the demo identity:\n%s", before.String())
	}

	// The admin replaces the demo responder's key with a new one.
	next, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	kf, err := os.Open(inst.DemoAdminKey)
	if err != nil {
		t.Fatal(err)
	}
	sk, err := manifest.ParseSecretKeyFile(kf)
	kf.Close()
	if err != nil {
		t.Fatal(err)
	}
	old := inst.Hubs.Get(DemoHubID).RecipientStrings()[0]
	cur, err := manifest.ParseSigned(inst.Hubs.Get(DemoHubID).Current().Signed)
	if err != nil {
		t.Fatal(err)
	}
	body, err := manifest.Next(cur, "2026-12-03", manifest.Edits(
		manifest.AddRecipient(next.Recipient().String(), manifest.RoleResponder, "New key"),
		manifest.RemoveRecipient(old)))
	if err != nil {
		t.Fatal(err)
	}
	signed, err := manifest.Sign(sk, body)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(inst.HubURL(DemoHubID), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublishManifest(context.Background(), signed); err != nil {
		t.Fatal(err)
	}
	inst.Shutdown(context.Background())

	inst = startDemo(t, dir)
	defer inst.Shutdown(context.Background())
	var after bytes.Buffer
	inst.PrintWelcome(&after)
	got := after.String()
	if strings.Contains(got, "-i "+inst.DemoIdentity) {
		t.Errorf("the welcome still tells to use the demo identity, which the hub no longer lists:\n%s", got)
	}
	for _, want := range []string{"longer one of its recipients", "(epoch 2)", "New key (" + next.Recipient().String()[:20], "-i IDENTITY"} {
		if !strings.Contains(got, want) {
			t.Errorf("the welcome does not say %q:\n%s", want, got)
		}
	}
}
