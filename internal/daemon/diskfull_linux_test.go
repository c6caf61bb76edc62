//go:build linux

package daemon_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"difesa.org/difesa/internal/bench"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/wire"
)

// fsizeEnv, in a child started with DIFESA_TEST_SERVE=1, caps the size of
// every file the child writes (RLIMIT_FSIZE) before difesad starts: the
// kernel then refuses to grow the database with EFBIG (Go ignores the
// SIGXFSZ that comes with it), as a full disk refuses with ENOSPC.
const fsizeEnv = "DIFESA_TEST_FSIZE"

func init() {
	v := os.Getenv(fsizeEnv)
	if os.Getenv("DIFESA_TEST_SERVE") != "1" || v == "" {
		return
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err == nil {
		err = syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n})
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s=%s: %v\n", fsizeEnv, v, err)
		os.Exit(2)
	}
}

// TestDiskFull runs difesad with its database unable to grow past 8 MiB,
// fills it with uploads until they are refused, and checks that:
//
//   - every refusal is a clean 507 storage_full, never a 500 or a hang,
//     for large uploads (refused mid-stream) and small ones alike;
//   - reads keep working: health, recipients, pages, listing, downloads;
//   - `difesad verify` passes on the database as the full server left it;
//   - after a restart without the limit, every acknowledged upload is
//     there and decrypts to what was sent, and nothing else is.
func TestDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a database in a child process")
	}
	const limit = 8 << 20
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r := &crashRig{t: t, exe: exe, dir: filepath.Join(t.TempDir(), "data"), expected: map[string]sent{}, deleted: map[string]bool{}}
	p, hc := startLimited(t, r, limit)
	defer func() {
		if p != nil {
			p.Kill()
		}
	}()
	r.identity = loadDemoIdentity(t, filepath.Join(r.dir, daemon.DemoIdentityFile))
	r.login(hc) // before the disk is full: a login writes a token
	recips, err := hc.Recipients(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	// send uploads one age file of size bytes of plaintext and returns the
	// status it got; it fails the test on any answer but 201 and 507
	// storage_full, and on no answer within 20 s.
	seed := uint64(time.Now().UnixNano())
	var n uint64
	send := func(size int64) int {
		t.Helper()
		n++
		body, s, err := encryptFor(recips, seed+n, size)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		created, err := hc.Submit(ctx, bytes.NewReader(body), int64(len(body)))
		var se *bench.StatusError
		switch {
		case err == nil:
			r.expected[created.ID] = s
			return http.StatusCreated
		case errors.As(err, &se) && se.Status == http.StatusInsufficientStorage && se.Code == wire.CodeStorageFull:
			return se.Status
		default:
			t.Fatalf("upload %d of %d bytes: %v (server: %s)", n, size, err, p.Stderr())
			return 0
		}
	}

	// Large uploads, several chunks each, until the disk refuses three.
	start := time.Now()
	full := 0
	for i := 0; full < 3; i++ {
		if i == 60 {
			t.Fatalf("%d uploads and still no 507 with a %d-byte limit", i, limit)
		}
		size := int64(200<<10 + (i%4)*(700<<10)) // 200 KiB to 2.3 MiB
		if send(size) == http.StatusInsufficientStorage {
			full++
		}
	}
	t.Logf("large uploads: %d acknowledged, then 507 storage_full, in %v", len(r.expected), time.Since(start).Round(time.Millisecond))

	// Small ones fill what aborted uploads freed, then are refused too.
	small, refused := 0, false
	for ; small < 300 && !refused; small++ {
		refused = send(16<<10) == http.StatusInsufficientStorage
	}
	if !refused {
		t.Fatalf("%d small uploads after the disk was full and none refused", small)
	}
	t.Logf("then %d small uploads until one got 507", small)

	// Reads still work.
	for _, path := range []string{"/healthz", "/hubs/demo/recipients.txt", "/hubs/demo/", "/api/v1/hubs/demo"} {
		resp, err := http.Get(p.URL + path)
		if err != nil {
			t.Fatalf("GET %s on a full disk: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s on a full disk: %d", path, resp.StatusCode)
		}
	}
	r.checkListed(hc, "on a full disk")

	if err := p.Stop(30 * time.Second); err != nil {
		t.Fatalf("stopping the full server: %v", err)
	}
	p = nil
	out, err := verifyCommand(exe, filepath.Join(r.dir, daemon.DatabaseFile))
	if err != nil {
		t.Fatalf("difesad verify after the disk was full: %v\n%s", err, out)
	}

	// A restart with room: everything acknowledged, intact.
	p, hc = startLimited(t, r, 0)
	r.login(hc)
	r.checkListed(hc, "after a restart")
	if err := p.Stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	p = nil
	r.checkDatabase("after a restart")
	t.Logf("%d submissions intact; database %d bytes", len(r.expected), fileSize(t, filepath.Join(r.dir, daemon.DatabaseFile)))
}

// startLimited starts difesad (the demo hub, without proof of work, which
// this test's quick uploads would trigger) on r's data folder with files
// capped at limit bytes (0: no cap).
func startLimited(t *testing.T, r *crashRig, limit int) (*bench.Process, *bench.HubClient) {
	t.Helper()
	cfg := filepath.Join(filepath.Dir(r.dir), "difesad.toml")
	if err := os.WriteFile(cfg, []byte("pow_max_bits = 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(r.exe, "-config", cfg, "-listen", "127.0.0.1:0", "-data", r.dir)
	cmd.Env = append(os.Environ(), "DIFESA_TEST_SERVE=1", "DIFESA_CONFIG=", "DIFESA_LISTEN=", "DIFESA_DATA=", fsizeEnv+"=")
	if limit > 0 {
		cmd.Env = append(cmd.Env, fsizeEnv+"="+strconv.Itoa(limit))
	}
	p, err := bench.StartProcess(cmd)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := bench.NewHubClient(p.HubURL, 4)
	if err != nil {
		p.Kill()
		t.Fatal(err)
	}
	return p, hc
}

// checkListed checks that the hub lists exactly the acknowledged uploads
// and that each decrypts to what was sent.
func (r *crashRig) checkListed(hc *bench.HubClient, when string) {
	r.t.Helper()
	listed := r.list(hc)
	if len(listed) != len(r.expected) {
		r.t.Errorf("%s: %d submissions listed, %d acknowledged", when, len(listed), len(r.expected))
	}
	for id, s := range r.expected {
		if listed[id] != s.size {
			r.t.Errorf("%s: %s listed with size %d, want %d", when, id, listed[id], s.size)
			continue
		}
		if sum := r.download(hc, id, s.size); sum != s.sum {
			r.t.Errorf("%s: %s decrypts to something else than was sent", when, id)
		}
	}
	if r.t.Failed() {
		r.t.FailNow()
	}
}

// verifyCommand runs `difesad verify -file path`.
func verifyCommand(exe, path string) (string, error) {
	cmd := exec.Command(exe, "verify", "-file", path)
	cmd.Env = append(os.Environ(), "DIFESA_TEST_SERVE=1", "DIFESA_CONFIG=", fsizeEnv+"=")
	out, err := cmd.CombinedOutput()
	if err == nil && !strings.Contains(string(out), ": OK") {
		err = errors.New("no OK")
	}
	return string(out), err
}

func fileSize(t *testing.T, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
