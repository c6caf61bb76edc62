package client

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/testutil/unprivileged"
)

func TestPinKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:8080/hubs/demo", "http://127.0.0.1:8080/hubs/demo"},
		{"HTTP://Example.ORG:80/hubs/demo/", "http://example.org/hubs/demo"},
		{"https://example.org:443/hubs/x", "https://example.org/hubs/x"},
		{"https://example.org:80/hubs/x", "https://example.org:80/hubs/x"},
		{"http://example.org./hubs/x", "http://example.org/hubs/x"},
		{"http://example.org/difesa/hubs/x", "http://example.org/difesa/hubs/x"},
		{"http://[::1]:8080/hubs/x", "http://[::1]:8080/hubs/x"},
		{"http://[::1]:80/hubs/x", "http://[::1]/hubs/x"},
		{"http://[::1]/hubs/x", "http://[::1]/hubs/x"},
		{"  http://abc.onion/hubs/ngo-1\n", "http://abc.onion/hubs/ngo-1"},
	}
	for _, tt := range tests {
		got, err := PinKey(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("PinKey(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			continue
		}
		if again, err := PinKey(got); err != nil || again != got {
			t.Errorf("PinKey(%q) = %q, %v; not stable", got, again, err)
		}
	}
	if _, err := PinKey("example.org/hubs/x"); !errors.Is(err, ErrBadHubURL) {
		t.Errorf("PinKey without scheme: %v", err)
	}
}

func testPin(t *testing.T, hub string, epoch uint64) Pin {
	t.Helper()
	sk, err := manifest.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return Pin{Hub: hub, AdminKey: sk.Public().String(), Fingerprint: sk.Public().Fingerprint(),
		Epoch: epoch, Hash: strings.Repeat("ab", 32)}
}

func TestPinStore(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "config", "difesa")
	ps := NewPinStore(dir)
	if pins, err := ps.List(); err != nil || len(pins) != 0 {
		t.Fatalf("List of a missing file = %v, %v", pins, err)
	}
	if _, ok, err := ps.Get("http://example.org/hubs/a"); ok || err != nil {
		t.Fatalf("Get on an empty store = %v, %v", ok, err)
	}
	a := testPin(t, "HTTP://Example.org:80/hubs/a", 1)
	if err := ps.Put(a); err != nil {
		t.Fatal(err)
	}
	b := testPin(t, "http://example.org/hubs/b", 3)
	if err := ps.Put(b); err != nil {
		t.Fatal(err)
	}
	got, ok, err := ps.Get("http://example.org/hubs/a/")
	if err != nil || !ok || got.AdminKey != a.AdminKey || got.Hub != "http://example.org/hubs/a" {
		t.Fatalf("Get = %+v, %v, %v", got, ok, err)
	}
	a.Epoch, a.Hash = 2, strings.Repeat("cd", 32)
	if err := ps.Put(a); err != nil {
		t.Fatal(err)
	}
	pins, err := ps.List()
	if err != nil || len(pins) != 2 || pins[0].Epoch != 2 || pins[1].Hub != "http://example.org/hubs/b" {
		t.Fatalf("List = %+v, %v", pins, err)
	}

	// Modes, and nothing left behind by the atomic writes.
	fi, err := os.Stat(ps.Path())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("pin file: %v, mode %v", err, fi.Mode())
	}
	di, err := os.Stat(dir)
	if err != nil || di.Mode().Perm() != 0o700 {
		t.Errorf("pin folder: %v, mode %v", err, di.Mode())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("pin folder holds %d entries, want only pins.json", len(entries))
	}

	if _, err := ps.Forget("http://example.org:80/hubs/b"); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Forget("http://example.org/hubs/b"); !errors.Is(err, ErrNotPinned) {
		t.Errorf("Forget twice: %v", err)
	}
	if _, ok, _ := ps.Get("http://example.org/hubs/b"); ok {
		t.Error("forgotten pin is still there")
	}

	// A pin whose fingerprint is not its key's is refused.
	bad := testPin(t, "http://example.org/hubs/c", 1)
	bad.Fingerprint = a.Fingerprint
	if err := ps.Put(bad); err == nil {
		t.Error("Put of an inconsistent pin succeeded")
	}
}

func TestPinStoreWriteFailureKeepsOldFile(t *testing.T) {
	t.Parallel()
	if unprivileged.Rerun(t, "TestPinStoreWriteFailureKeepsOldFile") {
		return // root ignores folder permissions: it ran as nobody
	}
	dir := t.TempDir()
	ps := NewPinStore(dir)
	if err := ps.Put(testPin(t, "http://example.org/hubs/a", 1)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(ps.Path())
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	if err := ps.Put(testPin(t, "http://example.org/hubs/b", 1)); err == nil {
		t.Fatal("Put into a read-only folder succeeded")
	}
	after, _ := os.ReadFile(ps.Path())
	if string(before) != string(after) {
		t.Error("a failed write changed the pin file")
	}
}

func TestPinStoreDamaged(t *testing.T) {
	t.Parallel()
	good := testPin(t, "http://example.org/hubs/a", 1)
	line := `{"hub":"` + good.Hub + `","admin_key":"` + good.AdminKey + `","fingerprint":"` + good.Fingerprint + `","epoch":1,"hash":"` + good.Hash + `"}`
	tests := []struct{ name, data string }{
		{"empty", ""},
		{"truncated", `{"version":1,"pins":[` + line},
		{"not json", "hello"},
		{"unknown field", `{"version":1,"pins":[],"extra":1}`},
		{"unknown version", `{"version":2,"pins":[]}`},
		{"trailing data", `{"version":1,"pins":[]} {}`},
		{"unnormalised hub", `{"version":1,"pins":[` + strings.Replace(line, "example.org", "EXAMPLE.org", 1) + `]}`},
		{"twice", `{"version":1,"pins":[` + line + `,` + line + `]}`},
		{"bad key", `{"version":1,"pins":[` + strings.Replace(line, "difesa-admin-ed25519:", "difesa-admin-ed25519:x", 1) + `]}`},
		{"bad hash", `{"version":1,"pins":[` + strings.Replace(line, good.Hash, "00", 1) + `]}`},
		{"epoch 0", `{"version":1,"pins":[` + strings.Replace(line, `"epoch":1`, `"epoch":0`, 1) + `]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			ps := NewPinStore(dir)
			os.WriteFile(ps.Path(), []byte(tt.data), 0o600)
			_, _, err := ps.Get("http://example.org/hubs/a")
			if !errors.Is(err, ErrPinsDamaged) || !strings.Contains(err.Error(), ps.Path()) {
				t.Errorf("Get on a damaged file: %v", err)
			}
			if err := ps.Put(good); !errors.Is(err, ErrPinsDamaged) {
				t.Errorf("Put on a damaged file: %v", err)
			}
			if data, _ := os.ReadFile(ps.Path()); string(data) != tt.data {
				t.Error("a damaged pin file was overwritten")
			}
		})
	}
	// The good line itself reads.
	dir := t.TempDir()
	ps := NewPinStore(dir)
	os.WriteFile(ps.Path(), []byte(`{"version":1,"pins":[`+line+`]}`), 0o600)
	if _, ok, err := ps.Get(good.Hub); !ok || err != nil {
		t.Errorf("Get on a good file = %v, %v", ok, err)
	}
}

func TestDefaultPinStore(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(ConfigDirEnv, dir)
	ps, err := DefaultPinStore()
	if err != nil || ps.Path() != filepath.Join(dir, "pins.json") {
		t.Errorf("DefaultPinStore = %v, %v", ps.Path(), err)
	}
}
