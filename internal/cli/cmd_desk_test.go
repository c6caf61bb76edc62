package cli

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/syncbuf"
)

// "difesa desk" prints the one-time address on standard output, serves it
// once on loopback, keeps its folder private and stops with its context.
func TestDeskCommandPrintsAddressThatWorksOnce(t *testing.T) {
	srv := testserver.New(t)
	t.Setenv("DIFESA_CONFIG_DIR", t.TempDir())
	dir := filepath.Join(t.TempDir(), "desk")
	pr, pw := io.Pipe()
	stderr := &syncbuf.Buffer{}
	e := &env{stdin: strings.NewReader(""), stdout: pw, stderr: stderr, now: time.Now}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runDesk(ctx, e, []string{"-hub", srv.HubURL, "-i", srv.IdentityFile, "-dir", dir, "-no-open"})
		pw.Close()
	}()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(pr).ReadString('\n')
		line <- strings.TrimSpace(s)
		io.Copy(io.Discard, pr)
	}()
	var addr string
	select {
	case addr = <-line:
	case err := <-done:
		t.Fatalf("desk stopped: %v: %s", err, stderr)
	case <-time.After(60 * time.Second):
		t.Fatalf("no address printed: %s", stderr)
	}
	if !strings.HasPrefix(addr, "http://127.0.0.1:") || !strings.Contains(addr, "/open?k=") {
		t.Fatalf("printed %q", addr)
	}
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func() *http.Response {
		resp, err := client.Get(addr)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := get(); r.StatusCode != http.StatusOK || len(r.Cookies()) != 1 {
		t.Fatalf("first open: %s", r.Status)
	}
	if r := get(); r.StatusCode != http.StatusForbidden || len(r.Cookies()) != 0 {
		t.Fatalf("second open: %s", r.Status)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("desk folder: %v %v", fi, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("desk: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the desk did not stop with its context")
	}
	if strings.Contains(stderr.String(), strings.TrimPrefix(addr, "http://")) {
		t.Fatalf("the secret address went to standard error: %s", stderr)
	}
}

// -i and -pin belong to the -hub before them; one without a -hub is a
// usage error.
func TestDeskFlagsPairIdentitiesWithHubs(t *testing.T) {
	var f deskHubFlags
	for _, kv := range [][2]string{{"hub", "http://a/hubs/a"}, {"i", "a1"}, {"i", "a2"}, {"hub", "http://b/hubs/b"}, {"i", "b1"}, {"pin", "FP"}} {
		if err := (deskHubValue{&f, kv[0]}).Set(kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.hubs) != 2 || strings.Join(f.hubs[0].identities, ",") != "a1,a2" || f.hubs[0].pin != "" ||
		strings.Join(f.hubs[1].identities, ",") != "b1" || f.hubs[1].pin != "FP" {
		t.Fatalf("%+v", f.hubs)
	}
	var g deskHubFlags
	if err := (deskHubValue{&g, "i"}).Set("x"); err == nil {
		t.Fatal("-i before any -hub accepted")
	}
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, now: time.Now}
	for _, args := range [][]string{{}, {"-hub", "http://127.0.0.1:1/hubs/x"}, {"-i", "k.txt"}, {"-config", "x", "-hub", "http://a/hubs/a", "-i", "k"}, {"extra"}} {
		if err := runDesk(context.Background(), e, args); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

// The configuration file lists hubs with their identity files; relative
// paths are the file's folder's, "~/" the home's; mistakes name the line.
func TestDeskConfigFile(t *testing.T) {
	home, _ := os.UserHomeDir()
	c, err := parseDeskConfig([]byte(`# difesa desk
dir   desk-data
proxy socks5h://127.0.0.1:9050   # Tor
hub   http://a.onion/hubs/legal  keys/legal.txt
hub   http://b.onion/hubs/relief ~/keys/relief.txt /abs/two.txt pin FP123
`), "/etc/difesa", "desk.conf")
	if err != nil {
		t.Fatal(err)
	}
	if c.dir != "/etc/difesa/desk-data" || c.proxy != "socks5h://127.0.0.1:9050" || len(c.hubs) != 2 {
		t.Fatalf("%+v", c)
	}
	if h := c.hubs[0]; h.url != "http://a.onion/hubs/legal" || strings.Join(h.identities, ",") != "/etc/difesa/keys/legal.txt" || h.pin != "" {
		t.Fatalf("%+v", h)
	}
	if h := c.hubs[1]; strings.Join(h.identities, ",") != filepath.Join(home, "keys/relief.txt")+",/abs/two.txt" || h.pin != "FP123" {
		t.Fatalf("%+v", h)
	}
	for _, bad := range []string{"", "# nothing\n", "hub http://a/hubs/a\n", "hub http://a/hubs/a k pin\n", "hub http://a/hubs/a k pin A B\n",
		"dir a b\nhub http://a/hubs/a k\n", "colour blue\nhub http://a/hubs/a k\n", "proxy\nhub http://a/hubs/a k\n"} {
		if _, err := parseDeskConfig([]byte(bad), "/", "desk.conf"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := parseDeskConfig([]byte("hub x k\ncolour blue\n"), "/", "desk.conf"); err == nil || !strings.Contains(err.Error(), "desk.conf:2") {
		t.Errorf("the line is not named: %v", err)
	}
}

// The launch page handed to the system opener holds the address in a
// private file, not a command line.
func TestDeskLaunchPageIsPrivate(t *testing.T) {
	addr := "http://127.0.0.1:1234/open?k=SECRET_abc-123"
	path, remove, err := writeLaunchPage(addr)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%v %v", fi, err)
	}
	di, _ := os.Stat(filepath.Dir(path))
	if di.Mode().Perm() != 0o700 {
		t.Fatalf("folder mode %v", di.Mode())
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `content="0;url=`+addr+`"`) {
		t.Fatalf("%s", b)
	}
	if cmd := openerCommand(path); cmd.Args[len(cmd.Args)-1] != path || strings.Contains(strings.Join(cmd.Args, " "), "SECRET") {
		t.Fatalf("opener %q", cmd.Args)
	}
	remove()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("not removed: %v", err)
	}
}

// Exports go beside the -dir folder, else into the home folder.
func TestDeskDefaultExportFolder(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if got, want := defaultExportDir("/data/responder/desk"), "/data/responder/difesa-exports"; got != want {
		t.Errorf("with -dir: %q, not %q", got, want)
	}
	if got, want := defaultExportDir(""), filepath.Join(home, "difesa-exports"); got != want {
		t.Errorf("without -dir: %q, not %q", got, want)
	}
}
