package cli_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"difesa.org/difesa/internal/cli"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/tool"
	"filippo.io/age"
	"filippo.io/age/armor"
)

// givePassphrase puts pass on a fresh pipe named by DIFESA_PASSPHRASE_FD,
// for the next command only (the command reads and closes it).
func givePassphrase(t *testing.T, pass string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString(pass + "\n")
	w.Close()
	fd, err := syscall.Dup(int(r.Fd()))
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("DIFESA_PASSPHRASE_FD", strconv.Itoa(fd))
}

func lowScrypt(t *testing.T) {
	old := *cli.ScryptWorkFactor
	*cli.ScryptWorkFactor = 10
	t.Cleanup(func() { *cli.ScryptWorkFactor = old })
}

// runCLI runs difesa in-process and returns its exit code and outputs.
func runCLI(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := cli.Main(args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

var publicKeyLine = regexp.MustCompile(`(?m)^Public key: (age1[a-z0-9]+)$`)

// keygenWithPassphrase makes a passphrase-protected key and returns its
// file and its public key.
func keygenWithPassphrase(t *testing.T, dir, name, pass string) (string, string) {
	t.Helper()
	path := filepath.Join(dir, name)
	givePassphrase(t, pass)
	code, _, stderr := runCLI("keygen", "-passphrase", "-o", path)
	if code != 0 {
		t.Fatalf("keygen -passphrase: exit %d\n%s", code, stderr)
	}
	m := publicKeyLine.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no public key on stderr:\n%s", stderr)
	}
	return path, m[1]
}

func TestKeygenPassphraseFile(t *testing.T) {
	lowScrypt(t)
	dir := t.TempDir()
	path, pub := keygenWithPassphrase(t, dir, "key.age", "correct horse battery staple")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	if !bytes.HasPrefix(data, []byte(armor.Header)) {
		t.Errorf("not an armored age file:\n%s", data)
	}
	for _, clear := range []string{"AGE-SECRET-KEY", pub, "# created", "# public key"} {
		if bytes.Contains(data, []byte(clear)) {
			t.Errorf("the key file shows %q", clear)
		}
	}
	// The age library opens it with the passphrase, as age -d does.
	id, _ := age.NewScryptIdentity("correct horse battery staple")
	r, err := age.Decrypt(armor.NewReader(bytes.NewReader(data)), id)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(r)
	if !bytes.Contains(plain, []byte("\nAGE-SECRET-KEY-PQ-1")) || !bytes.Contains(plain, []byte("# public key: "+pub)) {
		t.Errorf("decrypted key file:\n%s", plain)
	}

	// Never overwritten, and nothing asked for first.
	t.Setenv("DIFESA_PASSPHRASE_FD", "")
	if code, _, stderr := runCLI("keygen", "-passphrase", "-o", path); code != 1 || !strings.Contains(stderr, "already exists") {
		t.Errorf("keygen over an existing key: exit %d\n%s", code, stderr)
	}
	givePassphrase(t, "")
	if code, _, stderr := runCLI("keygen", "-passphrase", "-o", filepath.Join(dir, "empty.age")); code != 1 || !strings.Contains(stderr, "the passphrase is empty") {
		t.Errorf("empty passphrase: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "empty.age")); err == nil {
		t.Error("a key was written with an empty passphrase")
	}
}

// TestKeygenPassphraseStockAge opens the key file with the stock age
// command, built from the module difesa depends on, and its batchpass
// plugin (age itself asks for passphrases on a terminal only).
func TestKeygenPassphraseStockAge(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the age command; skipped in -short")
	}
	tool.Need(t, "go", "install Go")
	lowScrypt(t)
	bin := t.TempDir()
	for _, cmd := range []string{"age", "age-plugin-batchpass"} {
		build := exec.Command("go", "build", "-o", filepath.Join(bin, cmd), "filippo.io/age/cmd/"+cmd)
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building %s: %v\n%s", cmd, err, out)
		}
	}
	path, pub := keygenWithPassphrase(t, t.TempDir(), "key.age", "a stock passphrase")
	ageCmd := func(pass string) ([]byte, error) {
		cmd := exec.Command(filepath.Join(bin, "age"), "-d", "-j", "batchpass", path)
		cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
			"AGE_PASSPHRASE="+pass, "DIFESA_PASSPHRASE_FD=")
		return cmd.Output()
	}
	out, err := ageCmd("a stock passphrase")
	if err != nil {
		t.Fatalf("age -d: %v", err)
	}
	if !bytes.Contains(out, []byte("# public key: "+pub)) || !bytes.Contains(out, []byte("AGE-SECRET-KEY-PQ-1")) {
		t.Errorf("age -d gave:\n%s", out)
	}
	if _, err := ageCmd("wrong"); err == nil {
		t.Error("age -d opened the key with a wrong passphrase")
	}
}

func TestPassphraseIdentityInboxAndOpen(t *testing.T) {
	lowScrypt(t)
	isolatePins(t)
	dir := t.TempDir()
	const pass = "the river remembers 7"
	key1, pub1 := keygenWithPassphrase(t, dir, "one.age", pass)
	key2, pub2 := keygenWithPassphrase(t, dir, "two.age", pass)
	hub := testserver.NewHub(t, "pp", pub1, pub2).Config
	cfg := config.Default()
	cfg.Hubs = []config.Hub{hub}
	srv := newServer(t, cfg)
	hubURL := srv.URL + "/hubs/pp"
	t.Setenv("DIFESA_PASSPHRASE_FD", "")
	id := strings.TrimSpace(difesa(t, "", "submit", "-hub", hubURL, "-m", "passphrase canary report"))

	// Two protected files, one passphrase given once: asked once per
	// command (the descriptor is read once and closed).
	givePassphrase(t, pass)
	code, stdout, stderr := runCLI("inbox", "-hub", hubURL, "-i", key1, "-i", key2)
	if code != 0 || !strings.Contains(stdout, id) {
		t.Fatalf("inbox: exit %d\n%s\n%s", code, stdout, stderr)
	}
	givePassphrase(t, pass)
	code, stdout, stderr = runCLI("open", "-hub", hubURL, "-i", key2, id)
	if code != 0 || !strings.Contains(stdout, "passphrase canary report") {
		t.Fatalf("open: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if strings.Contains(stderr, pass) || strings.Contains(stdout, pass) {
		t.Error("the passphrase was printed")
	}

	givePassphrase(t, "the river forgets")
	code, stdout, stderr = runCLI("open", "-hub", hubURL, "-i", key1, id)
	if code != 1 || strings.Contains(stdout, "canary") {
		t.Fatalf("wrong passphrase: exit %d\n%s", code, stdout)
	}
	for _, want := range []string{`unable to open the identity file "` + key1 + `": wrong passphrase`, "hint: type the passphrase chosen"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("wrong passphrase: stderr lacks %q:\n%s", want, stderr)
		}
	}

	// A key file encrypted to a key, not a passphrase, says so.
	other, _ := age.GenerateX25519Identity()
	enc := testserver.Encrypt(t, []byte(other.String()+"\n"), true, other.Recipient())
	toKey := writeFile(t, filepath.Join(dir, "tokey.age"), enc)
	givePassphrase(t, pass)
	if code, _, stderr := runCLI("inbox", "-hub", hubURL, "-i", toKey); code != 1 || !strings.Contains(stderr, "encrypted, but not with a passphrase") {
		t.Errorf("key file encrypted to a key: exit %d\n%s", code, stderr)
	}
}
