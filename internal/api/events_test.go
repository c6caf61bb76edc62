package api_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/auth"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/hubkeys"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/notify"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/instants"
)

// streamDeadline bounds how long a test waits for a stream to end; a
// stream that outlives its token by that much fails the test.
const streamDeadline = 5 * time.Second

// eventsServer is a real server on loopback whose login service and
// handlers run on a test clock.
type eventsServer struct {
	api    string
	auth   *auth.Service
	clock  *instants.Clock
	broker *notify.Broker
	hub    *testserver.Hub
	store  *store.Store
}

func newEventsServer(t testing.TB, recipients ...*age.HybridIdentity) *eventsServer {
	t.Helper()
	clock := instants.NewClock(time.Date(2026, 11, 23, 23, 59, 30, 0, time.UTC))
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var rs []string
	for _, id := range recipients {
		rs = append(rs, id.Recipient().String())
	}
	th := testserver.NewHub(t, "it", rs...)
	k, err := config.Default().BuildHub(th.Config)
	if err != nil {
		t.Fatal(err)
	}
	h, err := hubkeys.Load(st, k.Settings, k.Admin, k.Initial)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := auth.New(st, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	broker := notify.NewBroker()
	srv := httptest.NewServer(api.New(api.Options{Store: st, Hubs: hub.NewRegistry(h), Auth: svc, Events: broker, Now: clock.Now}))
	t.Cleanup(srv.Close)
	return &eventsServer{api: srv.URL + "/api/v1/hubs/it", auth: svc, clock: clock, broker: broker, hub: th, store: st}
}

// stream is a real SSE client: it reads the event names of one stream.
type stream struct {
	events chan string
	ended  chan struct{}
	resp   *http.Response
}

func openStream(t *testing.T, api, token string) *stream {
	t.Helper()
	req, _ := http.NewRequest("GET", api+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		resp.Body.Close()
		t.Fatalf("events: %d", resp.StatusCode)
	}
	s := &stream{events: make(chan string, 16), ended: make(chan struct{}), resp: resp}
	t.Cleanup(func() { resp.Body.Close() })
	go func() {
		defer close(s.ended)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if ev, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				s.events <- ev
			}
		}
	}()
	return s
}

// next returns the next event's name, failing after streamDeadline.
func (s *stream) next(t *testing.T) string {
	t.Helper()
	select {
	case ev := <-s.events:
		return ev
	case <-s.ended:
		select {
		case ev := <-s.events:
			return ev
		default:
		}
		t.Fatal("the stream ended")
	case <-time.After(streamDeadline):
		t.Fatal("no event")
	}
	return ""
}

// endsWithExpired checks that the stream sends "expired" and closes, both
// within streamDeadline.
func (s *stream) endsWithExpired(t *testing.T) {
	t.Helper()
	timeout := time.After(streamDeadline)
	for {
		select {
		case ev := <-s.events:
			if ev != "expired" {
				continue // a notification sent before the token died
			}
			select {
			case <-s.ended:
				return
			case <-timeout:
				t.Fatal("the stream stays open after its expired event")
			}
		case <-s.ended:
			// The reader sends every event before it closes ended: what
			// is left is buffered.
			for {
				select {
				case ev := <-s.events:
					if ev == "expired" {
						return
					}
				default:
					t.Fatal("the stream ended without an expired event")
				}
			}
		case <-timeout:
			t.Fatal("the stream outlives its token")
		}
	}
}

// isLive checks that a notification published now reaches the stream.
func (es *eventsServer) isLive(t *testing.T, s *stream) {
	t.Helper()
	es.broker.Publish(notify.Notification{ID: "ev1", Hub: "it", Type: "alert.received", Count: 1, Urgent: true, Submissions: []string{"sub1"}})
	if ev := s.next(t); ev != "alert.received" {
		t.Fatalf("event %q", ev)
	}
}

// TestEventsEndOnLogout: logging out ends the token's open stream at once.
func TestEventsEndOnLogout(t *testing.T) {
	t.Parallel()
	id, _ := age.GenerateHybridIdentity()
	es := newEventsServer(t, id)
	token := login(t, es.api, id)
	s := openStream(t, es.api, token)
	es.isLive(t, s)
	if r := do(t, "POST", es.api+"/auth/logout", "", token, nil); r.status != 204 {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	s.endsWithExpired(t)
	if r := do(t, "GET", es.api+"/events", "", token, nil); r.status != 401 {
		t.Fatalf("events after logout: %d", r.status)
	}
}

// TestEventsEndOnRemoval: a manifest that leaves a responder out ends that
// responder's open stream at once, and nobody else's.
func TestEventsEndOnRemoval(t *testing.T) {
	t.Parallel()
	leave, _ := age.GenerateHybridIdentity()
	stay, _ := age.GenerateHybridIdentity()
	es := newEventsServer(t, leave, stay)
	gone := openStream(t, es.api, login(t, es.api, leave))
	kept := openStream(t, es.api, login(t, es.api, stay))
	es.isLive(t, gone)
	if ev := kept.next(t); ev != "alert.received" {
		t.Fatalf("kept stream: %q", ev)
	}
	e2 := next(t, es.hub.AdminKey, es.hub.Signed, manifest.RemoveRecipient(leave.Recipient().String()))
	if r := publish(t, es.api, e2); r.status != 201 {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	gone.endsWithExpired(t)
	es.isLive(t, kept)
}

// TestEventsEndOnExpiry: once the clock passes the token's expiry, the
// service's pruning ends its open stream.
func TestEventsEndOnExpiry(t *testing.T) {
	t.Parallel()
	id, _ := age.GenerateHybridIdentity()
	es := newEventsServer(t, id)
	token := login(t, es.api, id)
	s := openStream(t, es.api, token)
	es.clock.Advance(auth.TokenTTL - time.Second)
	if n := es.auth.Prune(); n != 0 {
		t.Fatalf("pruned %d sessions before expiry", n)
	}
	es.isLive(t, s)
	es.clock.Advance(time.Second)
	if n := es.auth.Prune(); n != 1 {
		t.Fatalf("pruned %d sessions at expiry", n)
	}
	s.endsWithExpired(t)
}
