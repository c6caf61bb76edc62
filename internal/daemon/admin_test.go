package daemon_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"difesa.org/difesa/internal/bench"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/store"
)

func startWithAdmin(t *testing.T, admin string, edits ...func(*config.Config)) *daemon.Instance {
	t.Helper()
	cfg := config.Default()
	cfg.Listen, cfg.DataDir, cfg.AdminListen = "127.0.0.1:0", filepath.Join(t.TempDir(), "data"), admin
	for _, edit := range edits {
		edit(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	inst, err := daemon.Start(cfg, daemon.NewLogger(io.Discard, "text", "info"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Shutdown(context.Background()) })
	return inst
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAdminMetrics submits and gets refused through the public listener,
// then scrapes the admin listener.
func TestAdminMetrics(t *testing.T) {
	inst := startWithAdmin(t, "127.0.0.1:0")
	ctx := context.Background()
	hc, err := bench.NewHubClient(inst.HubURL(daemon.DemoHubID), 2)
	if err != nil {
		t.Fatal(err)
	}
	recips, err := hc.Recipients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 3 {
		body, _, err := encryptFor(recips, uint64(i), 1000)
		if err != nil {
			t.Fatal(err)
		}
		created, err := hc.Submit(ctx, bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, created.ID)
	}
	const marker = "MARKER7c1e"
	for range 2 {
		if _, err := hc.Submit(ctx, strings.NewReader("age-encryption.org/v1\n"+marker+"\n"), -1); err == nil {
			t.Fatal("garbage accepted")
		}
	}
	if code, _ := get(t, inst.URL+"/api/v1/hubs/"+marker+"/submissions"); code != http.StatusNotFound {
		t.Fatalf("unknown hub: %d", code)
	}

	// Never on the public listener.
	for _, path := range []string{"/metrics", "/backup"} {
		if code, body := get(t, inst.URL+path); code != http.StatusNotFound || strings.Contains(body, "difesa_") {
			t.Fatalf("public %s: %d %.200s", path, code, body)
		}
	}

	code, out := get(t, "http://"+inst.AdminAddr+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("scrape: %d %s", code, out)
	}
	for _, want := range []string{
		`difesa_submissions{hub="demo",kind="report"} 3`,
		`difesa_rejections_total{code="bad_age_header"} 2`,
		`difesa_rejections_total{code="not_found"} 3`, // the unknown hub and the two public admin paths
		`difesa_uploads_in_flight_peak 1`,
		`difesa_checkins{hub="demo",state="armed"} 0`,
		"# TYPE difesa_database_size_bytes gauge\ndifesa_database_size_bytes ",
		"go_goroutines ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	leaks := append([]string{marker, "127.0.0.1", "Go-http-client"}, ids...)
	for _, leak := range leaks {
		if strings.Contains(out, leak) {
			t.Errorf("%q in the metrics", leak)
		}
	}
	if code, _ := get(t, "http://"+inst.AdminAddr+"/"); code != http.StatusNotFound {
		t.Errorf("admin / answered %d", code)
	}
}

func TestHotBackup(t *testing.T) {
	dir, err := os.MkdirTemp("", "difesa") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := "unix:" + filepath.Join(dir, "admin.sock")
	inst := startWithAdmin(t, sock)
	up := inst.Store.NewUpload(daemon.DemoHubID)
	if _, err := up.Commit([]byte("ciphertext"), store.Submission{Kind: "report"}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "admin.sock")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin socket: %v %v", fi.Mode(), err)
	}
	run := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := daemon.Main(args, &out, &errb, func(string) string { return "" })
		return code, out.String() + errb.String()
	}
	backup := filepath.Join(t.TempDir(), "hot.db")
	if code, out := run("backup", "-admin", inst.AdminAddr, "-o", backup); code != 0 || !strings.Contains(out, "from the running server") {
		t.Fatalf("hot backup: %d %s", code, out)
	}
	if code, out := run("verify", "-file", backup); code != 0 {
		t.Fatalf("verify: %s", out)
	}
	if code, out := run("backup", "-admin", "192.0.2.1:9090", "-o", backup+"2"); code != 2 || !strings.Contains(out, "loopback") {
		t.Fatalf("non-loopback admin: %d %s", code, out)
	}
	if code, out := run("backup", "-admin", "unix:"+filepath.Join(dir, "none.sock"), "-o", backup+"3"); code != 1 || !strings.Contains(out, "hint:") {
		t.Fatalf("no server: %d %s", code, out)
	}
	if _, err := os.Stat(backup + "3"); !os.IsNotExist(err) {
		t.Fatal("a failed backup left a file")
	}
}
