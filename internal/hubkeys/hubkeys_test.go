package hubkeys

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/store"
)

// testNow is when the tests publish: a moment, of which the store keeps
// the hour and the hub the moment (it starts the old epoch's grace).
var testNow = time.Date(2026, 11, 23, 10, 59, 30, 0, time.UTC)

type fixture struct {
	st       *store.Store
	path     string
	sk       *manifest.SecretKey
	settings *hub.Hub
	first    *manifest.Signed
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sk, _ := manifest.GenerateKey()
	id, _ := age.GenerateHybridIdentity()
	body := fmt.Sprintf("difesa-manifest/v1\nhub: it\nepoch: 1\nissued: 2026-11-23\nprevious: none\nrecipient: %s responder R\n", id.Recipient())
	first, err := manifest.Sign(sk, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	settings, _ := hub.New("it", "Italia", nil, 0, 0)
	return &fixture{st: st, path: path, sk: sk, settings: settings, first: first}
}

func (f *fixture) next(t *testing.T, cur *manifest.Signed) *manifest.Signed {
	t.Helper()
	id, _ := age.GenerateHybridIdentity()
	b, err := manifest.Next(cur, "2026-11-24", manifest.AddRecipient(id.Recipient().String(), manifest.RoleAdmin, "New"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := manifest.Sign(f.sk, b)
	return s
}

func TestLoadBootstrapsAndReloads(t *testing.T) {
	f := newFixture(t)
	h, err := Load(f.st, f.settings, f.sk.Public(), f.first.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if h.Epoch() != 1 || h.AdminFingerprint != f.sk.Public().Fingerprint() || len(h.RecipientStrings()) != 1 {
		t.Fatalf("bootstrapped hub: epoch %d", h.Epoch())
	}
	e2 := f.next(t, f.first)
	h, m, err := Publish(f.st, h, e2.Marshal(), testNow)
	if err != nil || m.Epoch != 2 || h.Epoch() != 2 || !h.Current().Accepted.Equal(testNow) {
		t.Fatalf("publish: %v (accepted %v)", err, h.Current().Accepted)
	}
	// A restart with the same configuration resumes at epoch 2, and so does
	// one whose manifest_file was updated to epoch 2.
	for _, initial := range [][]byte{f.first.Marshal(), e2.Marshal()} {
		h, err = Load(f.st, f.settings, f.sk.Public(), initial)
		if err != nil || h.Epoch() != 2 || len(h.Epochs()) != 2 || !h.Current().Accepted.IsZero() {
			t.Fatalf("reload: %v (accepted %v: the moment is not stored)", err, h.Current().Accepted)
		}
	}
	// Publishing on a stale view of the hub loses the race.
	stale, _ := Load(f.st, f.settings, f.sk.Public(), f.first.Marshal())
	if _, _, err := Publish(f.st, stale, f.next(t, e2).Marshal(), testNow); err != nil {
		t.Fatalf("epoch 3: %v", err)
	}
	if _, _, err := Publish(f.st, stale, f.next(t, e2).Marshal(), testNow); !errors.Is(err, manifest.ErrEpochNotNext) {
		t.Fatalf("a second epoch 3 on a stale view: %v", err)
	}
}

func TestLoadRefusesMismatches(t *testing.T) {
	f := newFixture(t)
	if _, err := Load(f.st, f.settings, f.sk.Public(), f.first.Marshal()); err != nil {
		t.Fatal(err)
	}
	other, _ := manifest.GenerateKey()
	if _, err := Load(f.st, f.settings, other.Public(), f.first.Marshal()); !errors.Is(err, ErrChainMismatch) {
		t.Fatalf("another admin key: %v", err)
	}
	g := newFixture(t) // a different first manifest for the same hub id
	if _, err := Load(f.st, f.settings, f.sk.Public(), g.first.Marshal()); err == nil {
		t.Fatal("a manifest_file that is not in the stored chain was accepted")
	}
	// A tampered database: a manifest signed by another key stored as epoch 2.
	forged, _ := manifest.Next(f.first, "2026-11-24", nil)
	fs, _ := manifest.Sign(other, forged)
	if _, err := f.st.PutManifest("it", 1, 2, fs.Marshal()); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(f.st, f.settings, f.sk.Public(), f.first.Marshal()); !errors.Is(err, ErrChainMismatch) {
		t.Fatalf("tampered chain: %v", err)
	}
}

func TestLoadRefusesABadFirstManifest(t *testing.T) {
	f := newFixture(t)
	other, _ := manifest.GenerateKey()
	wrongHub, _ := hub.New("fr", "", nil, 0, 0)
	for name, try := range map[string]func() error{
		"unsigned":  func() error { _, err := Load(f.st, f.settings, f.sk.Public(), f.first.Manifest); return err },
		"other key": func() error { _, err := Load(f.st, f.settings, other.Public(), f.first.Marshal()); return err },
		"other hub": func() error { _, err := Load(f.st, wrongHub, f.sk.Public(), f.first.Marshal()); return err },
		"epoch 2": func() error {
			_, err := Load(f.st, f.settings, f.sk.Public(), f.next(t, f.first).Marshal())
			return err
		},
	} {
		if err := try(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if ms, _ := f.st.Manifests("it"); len(ms) != 0 {
		t.Fatal("a refused first manifest was stored")
	}
}
