package auth

import (
	"encoding/base64"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"

	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/store"
)

type fixture struct {
	svc *Service
	h   *hub.Hub
	id  *age.HybridIdentity
	now *time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	now := time.Unix(1_000_000, 0)
	clock := func() time.Time { return now }
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	id, _ := age.GenerateHybridIdentity()
	h, _ := hub.New("h", "", []string{id.Recipient().String()}, 0, 0)
	svc, err := New(st, clock)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc, h: h, id: id, now: &now}
}

func (f *fixture) answer(t *testing.T, ciphertext string) string {
	t.Helper()
	r, err := age.Decrypt(armor.NewReader(strings.NewReader(ciphertext)), f.id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestLoginFlow(t *testing.T) {
	f := newFixture(t)
	cid, ct, err := f.svc.Challenge(f.h, f.id.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	resp := f.answer(t, ct)
	token, ttl, err := f.svc.Redeem(f.h, cid, resp)
	if err != nil || ttl != TokenTTL {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Redeem(f.h, cid, resp); !errors.Is(err, ErrBadChallenge) {
		t.Fatalf("second redemption: %v", err)
	}
	if tok, err := f.svc.Authenticate(f.h, token); err != nil || tok.Recipient != f.id.Recipient().String() {
		t.Fatalf("authenticate: %v", err)
	}
	other, _ := hub.New("other", "", []string{f.id.Recipient().String()}, 0, 0)
	if _, err := f.svc.Authenticate(other, token); !errors.Is(err, ErrForbidden) {
		t.Fatalf("another hub: %v", err)
	}
	*f.now = f.now.Add(TokenTTL)
	if _, err := f.svc.Authenticate(f.h, token); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("expired token: %v", err)
	}
}

func TestChallengeExpiresAndIsCapped(t *testing.T) {
	f := newFixture(t)
	cid, ct, _ := f.svc.Challenge(f.h, f.id.Recipient().String())
	*f.now = f.now.Add(ChallengeTTL)
	if _, _, err := f.svc.Redeem(f.h, cid, f.answer(t, ct)); !errors.Is(err, ErrBadChallenge) {
		t.Fatalf("expired challenge: %v", err)
	}
	for i := 0; i < MaxOpenChallenge; i++ {
		if _, _, err := f.svc.Challenge(f.h, f.id.Recipient().String()); err != nil {
			t.Fatalf("challenge %d: %v", i, err)
		}
	}
	if _, _, err := f.svc.Challenge(f.h, f.id.Recipient().String()); !errors.Is(err, ErrBusy) {
		t.Fatalf("over the cap: %v", err)
	}
	*f.now = f.now.Add(ChallengeTTL)
	if _, _, err := f.svc.Challenge(f.h, f.id.Recipient().String()); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
}

func TestRemovedRecipientLosesAccess(t *testing.T) {
	f := newFixture(t)
	cid, ct, _ := f.svc.Challenge(f.h, f.id.Recipient().String())
	token, _, err := f.svc.Redeem(f.h, cid, f.answer(t, ct))
	if err != nil {
		t.Fatal(err)
	}
	newcomer, _ := age.GenerateHybridIdentity()
	set, _ := hub.NewRecipientSet(1, []string{newcomer.Recipient().String()})
	set.Signed = []byte("{}")
	h2, err := f.h.WithEpoch(set)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(h2, token); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("removed recipient's token: %v", err)
	}
	if _, _, err := f.svc.Challenge(h2, f.id.Recipient().String()); !errors.Is(err, ErrBadChallenge) {
		t.Fatalf("removed recipient's challenge: %v", err)
	}
	for _, bad := range []string{"", "x", strings.Repeat("A", 43), "!!!!"} {
		if _, err := f.svc.Authenticate(f.h, bad); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}
