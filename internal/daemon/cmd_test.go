package daemon

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb, func(string) string { return "" })
	return code, out.String(), errb.String()
}

func TestCheckConfig(t *testing.T) {
	code, out, errs := run(t, "check-config", "-config", filepath.Join("..", "..", "config", "difesad.example.toml"))
	if code != 0 || !strings.Contains(out, "OK, 2 hub(s)") || !strings.Contains(out, "hub si") || !strings.Contains(out, "admin key abc1 627f") {
		t.Fatalf("example config: %d %s %s", code, out, errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(bad, []byte("listen = \"127.0.0.1:1\"\n\n[[hub]]\nid = \"ok\"\n\n[[hub]]\nid = \"BAD\"\n"), 0o600)
	code, _, errs = run(t, "check-config", "-config", bad)
	if code != 1 || !strings.Contains(errs, "bad.toml:3: hub[0]") || !strings.Contains(errs, "bad.toml:6: hub[1]") {
		t.Fatalf("problems without lines: %d\n%s", code, errs)
	}
	broken := filepath.Join(t.TempDir(), "broken.toml")
	os.WriteFile(broken, []byte("listen = \n"), 0o600)
	if code, _, errs = run(t, "check-config", "-config", broken); code != 1 || !strings.Contains(errs, "broken.toml:1") {
		t.Fatalf("syntax error without a line: %s", errs)
	}
}

func TestMaintenanceCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	inst := startDemo(t, dir)
	up := inst.Store.NewUpload(DemoHubID)
	if _, err := up.Commit([]byte("ciphertext"), storeSubmission()); err != nil {
		t.Fatal(err)
	}
	// While the server runs, the database is locked: commands say so.
	if code, _, errs := run(t, "verify", "-data", dir); code != 1 || !strings.Contains(errs, "stop the server") {
		t.Fatalf("verify of a live database: %d %s", code, errs)
	}
	inst.Shutdown(context.Background())

	if code, out, errs := run(t, "verify", "-data", dir); code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("verify: %d %s %s", code, out, errs)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if code, _, errs := run(t, "backup", "-data", dir, "-o", backup); code != 0 {
		t.Fatalf("backup: %s", errs)
	}
	if code, _, _ := run(t, "backup", "-data", dir, "-o", backup); code == 0 {
		t.Fatal("backup overwrote a file")
	}
	if code, out, errs := run(t, "verify", "-file", backup); code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("verify backup: %s %s", out, errs)
	}
	if code, _, errs := run(t, "restore", "-i", backup, "-data", dir); code != 1 || !strings.Contains(errs, "exists") {
		t.Fatalf("restore over a live database: %d %s", code, errs)
	}
	fresh := filepath.Join(t.TempDir(), "fresh")
	if code, _, errs := run(t, "restore", "-i", backup, "-data", fresh); code != 0 {
		t.Fatalf("restore: %s", errs)
	}
	if code, out, errs := run(t, "compact", "-data", fresh); code != 0 || !strings.Contains(out, "bytes") {
		t.Fatalf("compact: %s %s", out, errs)
	}
	if code, _, errs := run(t, "outbox", "-data", fresh); code != 0 {
		t.Fatalf("outbox: %s", errs)
	}
	if code, _, errs := run(t, "notify", "nonsense"); code != 2 || !strings.Contains(errs, "notify test") {
		t.Fatalf("notify usage: %s", errs)
	}
}
