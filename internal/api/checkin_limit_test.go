package api_test

import (
	"encoding/base64"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/auth"
	"difesa.org/difesa/internal/checkin"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/ratelimit"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// TestRightCheckinCodesAreNeverLimited floods the codename limit with
// wrong check-in codes at one hub and thread lookups at another, until
// both the hub's and the global bucket are empty: wrong codes are then
// refused (429), but the defender's right code and duress code still go
// through. Before, the limit was taken before the code was looked at, so
// anyone could turn every genuine check-in of every hub into a false
// "missed" alarm with a few requests a second.
func TestRightCheckinCodesAreNeverLimited(t *testing.T) {
	t.Parallel()
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	responder, _ := age.GenerateHybridIdentity()
	a, _ := hub.New("a", "", []string{responder.Recipient().String()}, 0, 0)
	b, _ := hub.New("b", "", []string{responder.Recipient().String()}, 0, 0)
	authSvc, _ := auth.New(st, nil)
	now := time.Date(2026, 12, 31, 23, 59, 30, 0, time.UTC)
	clock := func() time.Time { return now }
	srv := httptest.NewServer(api.New(api.Options{
		Store: st, Hubs: hub.NewRegistry(a, b), Auth: authSvc, Now: clock,
		Checkins: checkin.NewScheduler(st, slog.New(slog.DiscardHandler)), MinCheckinEvery: time.Second,
		CodenameLimit: ratelimit.NewLimiter(100, 6, 0.5, 3, clock),
	}))
	defer srv.Close()
	base := srv.URL + "/api/v1/hubs/a"

	code, _ := codename.Generate()
	duress, _ := codename.Generate()
	enc := func(s string) string { v := api.CheckinVerifier(s); return base64.RawURLEncoding.EncodeToString(v[:]) }
	headers := map[string]string{wire.HeaderCheckinVerifier: enc(code.String()), wire.HeaderDuressVerifier: enc(duress.String())}
	if r := doH(t, "POST", base+"/checkins?every=1h", wire.MediaTypeAge, headers, encrypt(t, []byte("call my lawyer"), false, responder.Recipient())); r.status != 201 {
		t.Fatalf("arm: %d %s", r.status, r.body)
	}
	checkIn := func(path, c string) response {
		return doH(t, "POST", base+path, "application/json", nil, []byte(`{"code":"`+c+`"}`))
	}

	limited := 0
	for i := 0; i < 8; i++ {
		wrong, _ := codename.Generate()
		switch r := checkIn("/checkin", wrong.String()); r.status {
		case 404:
		case 429:
			limited++
		default:
			t.Fatalf("wrong code %d: %d %s", i, r.status, r.body)
		}
		doH(t, "GET", srv.URL+"/api/v1/hubs/b/thread", "", map[string]string{wire.HeaderThreadToken: newThreadKeys(t).token}, nil)
	}
	if limited == 0 {
		t.Fatal("wrong codes were never limited")
	}
	if r := checkIn("/checkin", "not a codename"); r.status != 429 {
		t.Fatalf("a malformed code after the flood: %d %s, want 429", r.status, r.body)
	}
	for _, c := range []struct{ path, code string }{{"/checkin", code.String()}, {"/checkin", duress.String()}, {"/checkin/stop", duress.String()}, {"/checkin", code.String()}} {
		if r := checkIn(c.path, c.code); r.status/100 != 2 {
			t.Fatalf("the defender's code at %s during the flood: %d %s", c.path, r.status, r.body)
		}
	}
	if r := checkIn("/checkin/stop", code.String()); r.status != 204 {
		t.Fatalf("stop during the flood: %d %s", r.status, r.body)
	}
	// Stopped: the code names no timer now, and counts as a wrong one.
	if r := checkIn("/checkin", code.String()); r.status != 429 {
		t.Fatalf("a stopped code during the flood: %d %s, want 429", r.status, r.body)
	}
}
