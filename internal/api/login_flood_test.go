package api_test

import (
	"encoding/json"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

// TestLoginFloodIsolated floods a real server with challenge requests for
// key A of hub 1 (more than the old global cap of 1,024): key B of hub 1
// and every key of hub 2 (A included) still log in, and so does A at hub 1
// with the newest challenge.
func TestLoginFloodIsolated(t *testing.T) {
	t.Parallel()
	a, _ := age.GenerateHybridIdentity()
	b, _ := age.GenerateHybridIdentity()
	c, _ := age.GenerateHybridIdentity()
	h1 := testserver.NewHub(t, "one", a.Recipient().String(), b.Recipient().String())
	h2 := testserver.NewHub(t, "two", a.Recipient().String(), c.Recipient().String())
	cfg := config.Default()
	cfg.Hubs = []config.Hub{h1.Config, h2.Config}
	srv := testserver.NewWithConfig(t, cfg)
	one, two := srv.URL+"/api/v1/hubs/one", srv.URL+"/api/v1/hubs/two"

	// The flooder does not care what it gets; what matters is below.
	refused := 0
	for range 1100 {
		r := postJSON(t, one+"/auth/challenge", "", wire.ChallengeRequest{Recipient: a.Recipient().String()})
		var ch wire.Challenge
		if r.status != 200 || json.Unmarshal(r.body, &ch) != nil || ch.ID == "" {
			refused++
		}
	}
	if refused > 0 {
		t.Errorf("%d of the flood's challenge requests refused: asking never fails for lack of room", refused)
	}
	for _, l := range []struct {
		api string
		id  *age.HybridIdentity
	}{{one, b}, {two, c}, {two, a}, {one, a}} {
		token := login(t, l.api, l.id)
		if r := do(t, "GET", l.api+"/submissions", "", token, nil); r.status != 200 {
			t.Fatalf("%s after the flood: %d %s", l.api, r.status, r.body)
		}
	}
}
