package cli_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"difesa.org/difesa/internal/cli"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/socks5"
	"difesa.org/difesa/internal/testutil/tool"
	"filippo.io/age"
)

// difesa runs the command in-process and returns its standard output,
// failing the test if it does not succeed.
func difesa(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := cli.Main(args, strings.NewReader(stdin), &stdout, &stderr); code != 0 {
		t.Fatalf("difesa %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.String()
}

// isolatePins gives the test its own pin folder, so that hubs of other
// tests (on ports that may be reused) never meet its pins.
func isolatePins(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv(client.ConfigDirEnv, dir)
	return dir
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func someBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// TestSubmitAndOpenThroughSOCKS5 proves that with -proxy (and with
// ALL_PROXY) every connection, and the resolution of the hub's name, goes
// through the proxy: the hub's name only resolves there.
func TestSubmitAndOpenThroughSOCKS5(t *testing.T) {
	isolatePins(t)
	srv := newServer(t, config.Default())
	proxy := socks5.New(t)
	const onion = "difesatestdifesatestdifesatestdifesatestdifesatestdifesa.onion"
	proxy.Alias(onion, "127.0.0.1")
	u, _ := url.Parse(srv.URL)
	_, port, _ := net.SplitHostPort(u.Host)
	hub := "http://" + onion + ":" + port + "/hubs/demo"
	dir := t.TempDir()
	photo := writeFile(t, filepath.Join(dir, "photo.jpg"), someBytes(300_000))

	id := strings.TrimSpace(difesa(t, "", "submit", "-hub", hub, "-proxy", proxy.URL(),
		"-category", "surveillance", "-m", "sent over tor", "-attach", photo))
	if proxy.Connections() == 0 {
		t.Fatal("submit did not connect through the proxy")
	}
	out := filepath.Join(dir, "out")
	stdout := difesa(t, "", "open", "-hub", hub, "-proxy", proxy.URL(), "-i", srv.IdentityFile, "-o", out, id)
	if !strings.Contains(stdout, "sent over tor") {
		t.Errorf("open printed:\n%s", stdout)
	}
	got, err := os.ReadFile(filepath.Join(out, "photo.jpg"))
	if err != nil || !bytes.Equal(got, someBytes(300_000)) {
		t.Errorf("photo.jpg did not survive the trip: %v", err)
	}

	// ALL_PROXY is honoured when -proxy is not given.
	before := proxy.Connections()
	t.Setenv("ALL_PROXY", proxy.URL())
	if list := difesa(t, "", "inbox", "-hub", hub, "-i", srv.IdentityFile); !strings.Contains(list, id) {
		t.Errorf("inbox through ALL_PROXY:\n%s", list)
	}
	if proxy.Connections() == before {
		t.Error("inbox did not use ALL_PROXY")
	}

	hosts := proxy.Hosts()
	if len(hosts) == 0 || slices.ContainsFunc(hosts, func(h string) bool { return h != onion }) {
		t.Errorf("the proxy was asked for %q, want only %q", hosts, onion)
	}
	// The onion name never reached a local resolver: it does not resolve.
	if addrs, err := net.LookupHost(onion); err == nil && len(addrs) > 0 {
		t.Fatalf("%s resolves locally; the test proves nothing", onion)
	}
}

// TestAgeAndTar checks that a submission is a plain age file holding a
// plain tar archive: age -d -i key | tar x works on it.
func TestAgeAndTar(t *testing.T) {
	isolatePins(t)
	tarPath := tool.Need(t, "tar", "apt-get install tar")
	srv := newServer(t, config.Default())
	dir := t.TempDir()
	photo := writeFile(t, filepath.Join(dir, "photo.jpg"), someBytes(150_000))
	notes := writeFile(t, filepath.Join(dir, "notes.txt"), []byte("names\n"))
	id := strings.TrimSpace(difesa(t, "", "submit", "-hub", srv.HubURL, "-m", "hello tar",
		"-attach", photo, "-attach", notes))
	raw := filepath.Join(dir, "sub.age")
	difesa(t, "", "open", "-hub", srv.HubURL, "-i", srv.IdentityFile, "-raw", raw, id)

	f, err := os.Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := readIdentities(t, srv.IdentityFile)
	plain, err := age.Decrypt(f, ids...)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "x")
	os.Mkdir(out, 0o700)
	cmd := exec.Command(tarPath, "x", "-C", out)
	cmd.Stdin = plain
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tar x: %v\n%s", err, b)
	}
	for name, want := range map[string][]byte{
		"files/photo.jpg": someBytes(150_000),
		"files/notes.txt": []byte("names\n"),
	} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %v (%d bytes)", name, err, len(got))
		}
	}
	rep, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil || !bytes.Contains(rep, []byte(`"narrative":"hello tar"`)) {
		t.Errorf("report.json = %s, %v", rep, err)
	}
	if _, err := os.Stat(filepath.Join(out, "envelope.json")); err != nil {
		t.Error(err)
	}
}

func readIdentities(t *testing.T, path string) []age.Identity {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestOpenPlainAgeFiles covers submissions made with stock age rather than
// difesa: text is printed as a message, binary is saved and not printed.
func TestOpenPlainAgeFiles(t *testing.T) {
	srv := newServer(t, config.Default())
	c, err := client.New(srv.HubURL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rs, err := c.Recipients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	upload := func(plain []byte) string {
		var buf bytes.Buffer
		w, _ := age.Encrypt(&buf, rs...)
		w.Write(plain)
		w.Close()
		created, err := c.Submit(ctx, "report", &buf)
		if err != nil {
			t.Fatal(err)
		}
		return created.ID
	}
	dir := t.TempDir()

	text := upload([]byte("plain words from age\x1b[2J\n"))
	out := difesa(t, "", "open", "-hub", srv.HubURL, "-i", srv.IdentityFile, "-o", filepath.Join(dir, "t"), text)
	if !strings.Contains(out, "not a difesa report") || !strings.Contains(out, "plain words from age") {
		t.Errorf("open of a text file printed:\n%s", out)
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("open printed a terminal escape:\n%q", out)
	}

	bin := someBytes(5000)
	binID := upload(bin)
	out = difesa(t, "", "open", "-hub", srv.HubURL, "-i", srv.IdentityFile, "-o", filepath.Join(dir, "b"), binID)
	if strings.ContainsRune(out, 0) || !strings.Contains(out, "message.bin") {
		t.Errorf("open of a binary file printed:\n%q", out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "b", "message.bin"))
	if err != nil || !bytes.Equal(got, bin) {
		t.Errorf("message.bin: %v", err)
	}

	// A stranger's key is refused at login, before any download.
	var stderr bytes.Buffer
	stranger := filepath.Join(dir, "stranger.key")
	difesa(t, "", "keygen", "-o", stranger)
	if code := cli.Main([]string{"open", "-hub", srv.HubURL, "-i", stranger, text},
		strings.NewReader(""), io.Discard, &stderr); code != 1 {
		t.Errorf("open with a stranger's key: exit %d", code)
	}
	if !strings.Contains(stderr.String(), "the hub does not know the key") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

// TestTooLarge checks the hint for a hub's size limit, both when the hub
// refuses the upload and when the client sees it coming.
func TestTooLarge(t *testing.T) {
	dir := t.TempDir()
	key, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	isolatePins(t)
	small := testserver.NewHub(t, "small", key.Recipient().String()).Config
	small.MaxSubmissionSize = 100_000
	cfg := config.Default()
	cfg.Hubs = []config.Hub{small}
	srv := newServer(t, cfg)
	hub := srv.URL + "/hubs/small"

	for _, size := range []int{200_000, 17 << 20} {
		photo := writeFile(t, filepath.Join(dir, "photo.jpg"), someBytes(size))
		var stderr bytes.Buffer
		code := cli.Main([]string{"submit", "-hub", hub, "-m", "big", "-attach", photo},
			strings.NewReader(""), io.Discard, &stderr)
		if code != 1 {
			t.Errorf("%d bytes: exit %d", size, code)
		}
		if !strings.Contains(stderr.String(), "difesa: hint: the hub accepts at most 100000 bytes (97.7 KiB)") {
			t.Errorf("%d bytes: stderr:\n%s", size, stderr.String())
		}
	}
}
