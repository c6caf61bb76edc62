package casebook

import (
	"context"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/instants"
)

// teamHub is a real server with a hub of two labelled responders,
// "Responder 1" and "Responder 2", each with a desk of their own.
type teamHub struct {
	srv   *testserver.Server
	hub   string
	url   string
	ids   []*age.HybridIdentity
	clock *instants.Clock
	// before, if set, runs before each request of desk who (0 or 1).
	before atomic.Pointer[func(r *http.Request, who int)]
}

func newTeamHub(t testing.TB) *teamHub {
	t.Helper()
	th := &teamHub{hub: "team", clock: instants.NewClock(testDay)}
	var keys []string
	for range 2 {
		id, err := age.GenerateHybridIdentity()
		if err != nil {
			t.Fatal(err)
		}
		th.ids = append(th.ids, id)
		keys = append(keys, id.Recipient().String())
	}
	h := testserver.NewHub(t, th.hub, keys...)
	cfg := config.Default()
	cfg.Hubs = []config.Hub{h.Config}
	th.srv = testserver.NewWithOptions(t, cfg, testserver.Options{Now: th.clock.Now})
	th.url = th.srv.URL + "/hubs/" + th.hub
	return th
}

func (th *teamHub) report(t testing.TB) string {
	t.Helper()
	id, _ := submitTo(t, th.url, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "a shared case"}, nil, false)
	return id
}

type hookTransport struct {
	th  *teamHub
	who int
	rt  http.RoundTripper
}

func (h hookTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if fn := h.th.before.Load(); fn != nil {
		(*fn)(r, h.who)
	}
	return h.rt.RoundTrip(r)
}

// desk opens and syncs the desk of responder who.
func (th *teamHub) desk(t testing.TB, who int) *Book {
	t.Helper()
	id := th.ids[who]
	b, err := Open(Options{
		Dir: filepath.Join(t.TempDir(), "desk"), Identities: []age.Identity{id}, Recipient: id.Recipient(),
		Now: th.clock.Now, SyncEvery: time.Hour,
		Hubs: []HubConfig{{
			URL:        th.url,
			HTTPClient: &http.Client{Transport: hookTransport{th: th, who: who, rt: http.DefaultTransport.(*http.Transport).Clone()}},
			Pins:       client.NewPinStore(t.TempDir()),
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	syncAll(t, b)
	return b
}

// responder is a client of responder who, logged in.
func (th *teamHub) responder(t testing.TB, who int) *client.Client {
	t.Helper()
	c := defenderAt(t, th.url)
	if err := c.Login(context.Background(), th.ids[who]); err != nil {
		t.Fatal(err)
	}
	return c
}
