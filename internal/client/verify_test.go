package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

// fakeHub serves a hub's info and manifests on loopback, as a server
// would, or as a compromised one might.
type fakeHub struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	adminKey string
	current  *manifest.Signed
	epochs   map[uint64]*manifest.Signed
}

func newFakeHub(t *testing.T, admin manifest.PublicKey) *fakeHub {
	h := &fakeHub{t: t, adminKey: admin.String(), epochs: map[uint64]*manifest.Signed{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *fakeHub) url() string { return h.srv.URL + "/hubs/demo" }

func (h *fakeHub) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	notFound := func() {
		w.WriteHeader(404)
		fmt.Fprint(w, `{"error":{"code":"not_found","message":"no"}}`)
	}
	switch p := r.URL.Path; {
	case p == "/api/v1/hubs/demo":
		fmt.Fprintf(w, `{"id":"demo","name":"Demo","recipients":[],"max_submission_size":1000,"admin_key":%q}`, h.adminKey)
	case p == "/hubs/demo/manifest.json":
		if h.current == nil {
			notFound()
			return
		}
		w.Write(h.current.Marshal())
	case strings.HasPrefix(p, "/hubs/demo/manifests/") && strings.HasSuffix(p, ".json"):
		e, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(p, "/hubs/demo/manifests/"), ".json"), 10, 64)
		s := h.epochs[e]
		if err != nil || s == nil {
			notFound()
			return
		}
		w.Write(s.Marshal())
	default:
		notFound()
	}
}

// publish makes s the current manifest and keeps it under its epoch.
func (h *fakeHub) publish(s *manifest.Signed) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.add(s)
}

// add is publish for callers of set, which hold the lock.
func (h *fakeHub) add(s *manifest.Signed) {
	m, err := manifest.Parse(s.Manifest)
	if err != nil {
		h.t.Fatal(err)
	}
	h.current = s
	h.epochs[m.Epoch] = s
}

func (h *fakeHub) set(f func(h *fakeHub)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(h)
}

func newRecipient(t *testing.T) string {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id.Recipient().String()
}

// firstManifest signs an epoch 1 manifest of hub "demo" with one fresh
// recipient.
func firstManifest(t *testing.T, sk *manifest.SecretKey) *manifest.Signed {
	t.Helper()
	m := &manifest.Manifest{Hub: "demo", Epoch: 1, Issued: "2026-11-23",
		Recipients: []manifest.Recipient{{Key: newRecipient(t), Role: manifest.RoleAdmin, Label: "first"}}}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	s, err := manifest.Sign(sk, b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// nextManifest signs the successor of cur, adding a fresh recipient.
func nextManifest(t *testing.T, sk *manifest.SecretKey, cur *manifest.Signed) *manifest.Signed {
	t.Helper()
	b, err := manifest.Next(cur, "2026-11-24", manifest.AddRecipient(newRecipient(t), manifest.RoleResponder, ""))
	if err != nil {
		t.Fatal(err)
	}
	s, err := manifest.Sign(sk, b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func generateAdmin(t *testing.T) *manifest.SecretKey {
	t.Helper()
	sk, err := manifest.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return sk
}

func verify(t *testing.T, h *fakeHub, trust Trust) (*Verified, error) {
	t.Helper()
	c, err := New(h.url(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c.VerifiedRecipients(context.Background(), trust)
}

func TestVerifiedRecipientsFollowsTheChain(t *testing.T) {
	t.Parallel()
	sk := generateAdmin(t)
	h := newFakeHub(t, sk.Public())
	e1 := firstManifest(t, sk)
	e2 := nextManifest(t, sk, e1)
	e3 := nextManifest(t, sk, e2)
	h.publish(e1)
	h.publish(e2)
	pins := NewPinStore(t.TempDir())

	// First contact, at epoch 2: trust on first use, walked from epoch 1.
	v, err := verify(t, h, Trust{Pins: pins})
	if err != nil {
		t.Fatal(err)
	}
	if !v.FirstUse || v.Confirmed || v.Epoch != 2 || len(v.Recipients) != 2 || !v.AdminKey.Equal(sk.Public()) {
		t.Fatalf("first contact: %+v", v)
	}
	pin, ok, _ := pins.Get(h.url())
	if !ok || pin.Epoch != 2 || pin.Hash != manifest.Hash(e2.Manifest) || pin.Fingerprint != sk.Public().Fingerprint() {
		t.Fatalf("pin after first contact: %+v", pin)
	}

	// Same epoch again: nothing to walk.
	if v, err := verify(t, h, Trust{Pins: pins}); err != nil || v.FirstUse || v.From != 2 || v.Epoch != 2 {
		t.Fatalf("second contact: %+v, %v", v, err)
	}

	// Two epochs later: every link is checked, the pin moves.
	e4 := nextManifest(t, sk, e3)
	h.publish(e3)
	h.publish(e4)
	v, err = verify(t, h, Trust{Pins: pins, Fingerprint: strings.ToUpper(sk.Public().Fingerprint())})
	if err != nil {
		t.Fatal(err)
	}
	if v.From != 2 || v.Epoch != 4 || len(v.Recipients) != 4 {
		t.Fatalf("after two publications: %+v", v)
	}
	if pin, _, _ := pins.Get(h.url()); pin.Epoch != 4 || pin.Hash != manifest.Hash(e4.Manifest) {
		t.Fatalf("pin after following: %+v", pin)
	}
}

func TestVerifiedRecipientsFingerprint(t *testing.T) {
	t.Parallel()
	sk := generateAdmin(t)
	h := newFakeHub(t, sk.Public())
	h.publish(firstManifest(t, sk))
	other := generateAdmin(t).Public().Fingerprint()

	pins := NewPinStore(t.TempDir())
	_, err := verify(t, h, Trust{Pins: pins, Fingerprint: other})
	if !errors.Is(err, ErrFingerprintMismatch) || !errors.Is(err, ErrUntrusted) {
		t.Fatalf("wrong -pin on first contact: %v", err)
	}
	if pl, _ := pins.List(); len(pl) != 0 {
		t.Fatal("a refused hub was pinned")
	}
	if _, err := verify(t, h, Trust{Pins: pins, Fingerprint: "not a fingerprint"}); err == nil {
		t.Fatal("a malformed -pin was accepted")
	}
	v, err := verify(t, h, Trust{Pins: pins, Fingerprint: sk.Public().Fingerprint()})
	if err != nil || !v.FirstUse || !v.Confirmed {
		t.Fatalf("right -pin: %+v, %v", v, err)
	}
	// Once pinned, a -pin that disagrees with the pin is refused too.
	if _, err := verify(t, h, Trust{Pins: pins, Fingerprint: other}); !errors.Is(err, ErrFingerprintMismatch) {
		t.Fatalf("-pin against the pin: %v", err)
	}
}

// TestVerifiedRecipientsRefusals plays the attacks of a server that holds
// no admin key against a client pinned at epoch 2.
func TestVerifiedRecipientsRefusals(t *testing.T) {
	t.Parallel()
	sk := generateAdmin(t)
	mallory := generateAdmin(t)
	e1 := firstManifest(t, sk)
	e2 := nextManifest(t, sk, e1)
	e3 := nextManifest(t, sk, e2)
	e4 := nextManifest(t, sk, e3)
	// A fork: another epoch 2 (the admin key used quietly), and its child.
	f2 := nextManifest(t, sk, e1)
	f3 := nextManifest(t, sk, f2)
	// Mallory's own manifests.
	m3 := nextManifest(t, mallory, e2)
	forged := &manifest.Signed{Manifest: m3.Manifest, Signature: e2.Signature}

	tests := []struct {
		name    string
		setup   func(h *fakeHub)
		wantErr error
		msg     string
	}{
		{"forged signature", func(h *fakeHub) { h.current = forged }, manifest.ErrBadSignature, "may be forged"},
		{"other signer", func(h *fakeHub) { h.add(m3) }, manifest.ErrBadSignature, "not signed by the hub's admin key"},
		{"other signer and key", func(h *fakeHub) {
			h.adminKey = mallory.Public().String()
			h.current, h.epochs[3] = m3, m3
		}, ErrKeyChanged, "another admin key"},
		{"rollback", func(h *fakeHub) { h.current = e1 }, ErrRollback, "rollback"},
		{"fork at the pinned epoch", func(h *fakeHub) { h.current, h.epochs[2] = f2, f2 }, manifest.ErrBrokenChain, "fork"},
		{"fork below", func(h *fakeHub) { h.epochs[2] = f2; h.current, h.epochs[3] = f3, f3 }, manifest.ErrBrokenChain, "epoch 2"},
		{"broken chain", func(h *fakeHub) { h.current, h.epochs[3] = f3, f3 }, manifest.ErrBrokenChain, "does not follow epoch 2"},
		{"missing intermediate", func(h *fakeHub) { h.current, h.epochs[4] = e4, e4 }, ErrMissingManifest, "epoch 3"},
		{"gap", func(h *fakeHub) { h.current, h.epochs[4], h.epochs[3] = e4, e4, e4 }, manifest.ErrEpochNotNext, "does not follow"},
		{"pinned epoch missing", func(h *fakeHub) { delete(h.epochs, 2); h.add(e3) }, ErrMissingManifest, "epoch 2"},
		{"manifest withdrawn", func(h *fakeHub) { h.current = nil }, ErrUnsigned, "no longer"},
		{"admin key withdrawn", func(h *fakeHub) { h.adminKey = "" }, ErrUnsigned, "no longer"},
		{"garbage manifest", func(h *fakeHub) {
			h.current = &manifest.Signed{Manifest: []byte("x"), Signature: make([]byte, 64)}
		}, manifest.ErrBadSignature, "forged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newFakeHub(t, sk.Public())
			h.publish(e1)
			h.publish(e2)
			pins := NewPinStore(t.TempDir())
			if _, err := verify(t, h, Trust{Pins: pins}); err != nil {
				t.Fatal(err)
			}
			before, _, _ := pins.Get(h.url())
			h.set(tt.setup)
			_, err := verify(t, h, Trust{Pins: pins})
			var te *TrustError
			if !errors.As(err, &te) || !errors.Is(err, ErrUntrusted) || !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v (%T), want a TrustError wrapping %v", err, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
			if te.Pinned == nil || te.Pinned.Epoch != 2 {
				t.Errorf("TrustError.Pinned = %+v", te.Pinned)
			}
			if after, _, _ := pins.Get(h.url()); !reflect.DeepEqual(after, before) {
				t.Errorf("the pin changed after a refusal: %+v → %+v", before, after)
			}
		})
	}
}

func TestVerifiedRecipientsFirstContactRefusals(t *testing.T) {
	t.Parallel()
	sk := generateAdmin(t)
	e1 := firstManifest(t, sk)
	e2 := nextManifest(t, sk, e1)
	otherHub := &manifest.Manifest{Hub: "other", Epoch: 1, Issued: "2026-11-23",
		Recipients: []manifest.Recipient{{Key: newRecipient(t), Role: manifest.RoleAdmin}}}
	ob, _ := otherHub.Marshal()
	o1, _ := manifest.Sign(sk, ob)
	tests := []struct {
		name      string
		setup     func(h *fakeHub)
		wantErr   error
		wantTrust bool
	}{
		{"no admin key", func(h *fakeHub) { h.adminKey = "" }, ErrUnsigned, false},
		{"no manifest", func(h *fakeHub) { h.current = nil }, ErrUnsigned, false},
		{"no epoch 1", func(h *fakeHub) { delete(h.epochs, 1) }, ErrMissingManifest, true},
		{"chain starts at 2", func(h *fakeHub) { h.epochs[1] = e2 }, manifest.ErrEpochNotNext, true},
		{"wrong hub", func(h *fakeHub) { h.current = o1 }, manifest.ErrWrongHub, true},
		{"malformed key", func(h *fakeHub) { h.adminKey = "difesa-admin-ed25519:AAAA" }, manifest.ErrBadKey, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newFakeHub(t, sk.Public())
			h.publish(e1)
			h.publish(e2)
			h.set(tt.setup)
			pins := NewPinStore(t.TempDir())
			_, err := verify(t, h, Trust{Pins: pins})
			var te *TrustError
			if !errors.Is(err, tt.wantErr) || errors.As(err, &te) != tt.wantTrust {
				t.Fatalf("got %v (%T), want %v (trust error: %v)", err, err, tt.wantErr, tt.wantTrust)
			}
			if pl, _ := pins.List(); len(pl) != 0 {
				t.Error("a refused hub was pinned")
			}
		})
	}
}

func TestVerifiedRecipientsNetworkErrorIsNotATrustError(t *testing.T) {
	t.Parallel()
	c, _ := New("http://127.0.0.1:1/hubs/demo", Options{})
	_, err := c.VerifiedRecipients(context.Background(), Trust{})
	var te *TrustError
	if err == nil || errors.As(err, &te) || errors.Is(err, &wire.Error{Code: wire.CodeNotFound}) {
		t.Fatalf("got %v", err)
	}
}
