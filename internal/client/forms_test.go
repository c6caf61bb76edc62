package client

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"difesa.org/difesa/internal/form"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

// formsHub is a fakeHub that also serves forms, as a server would, or as
// a compromised one might: whatever the test sets.
type formsHub struct {
	*fakeHub
	srv   *httptest.Server
	mu    sync.Mutex
	forms map[string]*wire.SignedForm // "id" (latest) or "id/version"
}

func newFormsHub(t *testing.T, sk *manifest.SecretKey) *formsHub {
	h := &formsHub{fakeHub: newFakeHub(t, sk.Public()), forms: map[string]*wire.SignedForm{}}
	h.fakeHub.publish(firstManifest(t, sk))
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rest, ok := strings.CutPrefix(r.URL.Path, "/api/v1/hubs/demo/forms/"); ok {
			h.mu.Lock()
			s := h.forms[rest]
			h.mu.Unlock()
			if s == nil {
				w.WriteHeader(404)
				return
			}
			w.Write(form.MarshalSigned(s))
			return
		}
		h.fakeHub.serve(w, r)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *formsHub) url() string { return h.srv.URL + "/hubs/demo" }

func (h *formsHub) serveForm(key string, s *wire.SignedForm) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.forms[key] = s
}

func TestVerifiedForm(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sk := generateAdmin(t)
	h := newFormsHub(t, sk)
	pins := NewPinStore(t.TempDir())
	c, err := New(h.url(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.VerifiedRecipients(ctx, Trust{Pins: pins}); err != nil {
		t.Fatal(err)
	}
	sign := func(hub string, version uint64, key *manifest.SecretKey) *wire.SignedForm {
		return testserver.SignForm(t, key, testserver.NewForm(hub, "safety", version))
	}
	accept := func(s *wire.SignedForm, version uint64) {
		t.Helper()
		h.serveForm("safety", s)
		v, err := c.VerifiedForm(ctx, pins, sk.Public(), "safety")
		if err != nil {
			t.Fatalf("VerifiedForm(v%d): %v", version, err)
		}
		if v.Form.Version != version || v.Hash != form.Hash(s.Form) {
			t.Fatalf("VerifiedForm = v%d %s", v.Form.Version, v.Hash)
		}
		if seen, _ := pins.SeenForm(h.url(), "safety"); seen.Version != version {
			t.Fatalf("pinned version %d, want %d", seen.Version, version)
		}
	}
	refuse := func(name string, s *wire.SignedForm, want error) {
		t.Helper()
		h.serveForm("safety", s)
		_, err := c.VerifiedForm(ctx, pins, sk.Public(), "safety")
		if !errors.Is(err, want) {
			t.Fatalf("%s: VerifiedForm = %v, want %v", name, err, want)
		}
	}
	v2 := sign("demo", 2, sk)
	accept(v2, 2)
	accept(v2, 2) // again: the same bytes are fine
	refuse("rolled back", sign("demo", 1, sk), form.ErrRollback)
	other := testserver.NewForm("demo", "safety", 2)
	other.Fields[3].Label["it"] = "Nome e indirizzo di casa"
	refuse("same version, other questions", testserver.SignForm(t, sk, other), form.ErrConflict)
	refuse("not the admin key", sign("demo", 3, generateAdmin(t)), form.ErrUnsigned)
	tampered := *sign("demo", 3, sk)
	tampered.Form = bytes.Replace(tampered.Form, []byte(`"Altro"`), []byte(`"Nome?"`), 1)
	refuse("changed after signing", &tampered, form.ErrUnsigned)
	refuse("another hub's form", sign("other", 3, sk), form.ErrWrongHub)
	accept(sign("demo", 3, sk), 3)

	// A new recipient list keeps the forms seen: the rollback stays refused.
	h.fakeHub.set(func(f *fakeHub) { f.add(nextManifest(t, sk, f.current)) })
	if v, err := c.VerifiedRecipients(ctx, Trust{Pins: pins}); err != nil || v.Epoch != 2 {
		t.Fatalf("epoch 2: %v", err)
	}
	refuse("rolled back after a new epoch", v2, form.ErrRollback)

	// An older version is what a bundle's answers may name: fetched by
	// version, checked against their hash.
	h.serveForm("safety/2", v2)
	if v, err := c.FormVersion(ctx, sk.Public(), "safety", 2, form.Hash(v2.Form)); err != nil || v.Form.Version != 2 {
		t.Fatalf("FormVersion(2): %v", err)
	}
	h.serveForm("safety/2", testserver.SignForm(t, sk, other)) // swapped after the defender answered
	if _, err := c.FormVersion(ctx, sk.Public(), "safety", 2, form.Hash(v2.Form)); !errors.Is(err, form.ErrMismatch) {
		t.Fatalf("FormVersion(swapped) = %v, want ErrMismatch", err)
	}
}

func TestPinFormsDamaged(t *testing.T) {
	t.Parallel()
	sk := generateAdmin(t)
	pub := sk.Public()
	pins := NewPinStore(t.TempDir())
	pin := Pin{Hub: "http://127.0.0.1:1/hubs/demo", AdminKey: pub.String(), Fingerprint: pub.Fingerprint(), Epoch: 1, Hash: strings.Repeat("a", 64)}
	if err := pins.Put(pin); err != nil {
		t.Fatal(err)
	}
	if err := pins.RecordForm(pin.Hub, "safety", 4, strings.Repeat("b", 64)); err != nil {
		t.Fatal(err)
	}
	if err := pins.RecordForm(pin.Hub, "safety", 3, strings.Repeat("c", 64)); err != nil {
		t.Fatal(err)
	}
	if seen, _ := pins.SeenForm(pin.Hub, "safety"); seen.Version != 4 {
		t.Fatalf("a lower version replaced the higher one: %+v", seen)
	}
	for _, bad := range []FormPin{{ID: "x", Version: 0, Hash: strings.Repeat("a", 64)}, {ID: "X", Version: 1, Hash: strings.Repeat("a", 64)}, {ID: "x", Version: 1, Hash: "ab"}} {
		p := pin
		p.Forms = []FormPin{bad}
		if err := pins.Put(p); err == nil {
			t.Fatalf("Put accepted %+v", bad)
		}
	}
	if err := pins.RecordForm("http://127.0.0.1:2/hubs/demo", "safety", 1, strings.Repeat("a", 64)); !errors.Is(err, ErrNotPinned) {
		t.Fatalf("RecordForm without a pin = %v", err)
	}
}
