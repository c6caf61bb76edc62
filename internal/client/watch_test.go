package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func eventJSON(id, typ string, urgent bool) string {
	return fmt.Sprintf(`{"id":%q,"hub":"demo","type":%q,"count":1,"urgent":%t}`, id, typ, urgent)
}

// TestWatcher runs a [Watcher] against a hub that does everything a
// stream can do to a client: comments, events written in pieces, a
// connection cut mid-event, an event sent twice, an expired login, a 401,
// and silence.
func TestWatcher(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		valid  string // the token the hub accepts
		conns  atomic.Int32
		tokens []string // tokens the hub saw, one per connection
	)
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/hubs/demo/events" || r.Header.Get("Accept") != "text/event-stream" {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		mu.Lock()
		tok := r.Header.Get("Authorization")
		ok := tok == "Bearer "+valid
		tokens = append(tokens, tok)
		mu.Unlock()
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"code":"unauthorized","message":"log in again"}}`)
			return
		}
		rc := http.NewResponseController(w)
		send := func(s string) {
			io.WriteString(w, s)
			rc.Flush()
			time.Sleep(5 * time.Millisecond)
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		send(": difesa event stream\n\n")
		switch conns.Add(1) {
		case 1:
			// e1 in pieces, a keep-alive, then e2 cut off by a dropped
			// connection.
			send("id: e1\nev")
			send("ent: report.received\ndata: " + eventJSON("e1", "report.received", false)[:20])
			send(eventJSON("e1", "report.received", false)[20:] + "\n")
			send("\n: keep-alive\n\n")
			send("id: e2\nevent: alert.received\ndata: {\"id\":\"e2\"")
			conn, _, err := rc.Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close()
		case 2:
			// e1 again (a restarted hub republishes), e3, then the login
			// expires.
			send("id: e1\nevent: report.received\ndata: " + eventJSON("e1", "report.received", false) + "\n\n")
			send("id: e3\nevent: alert.received\ndata: " + eventJSON("e3", "alert.received", true) + "\n\n")
			send("event: expired\ndata: {}\n\n")
		case 3:
			// e4, then the token is revoked and the hub goes silent:
			// the client must notice, reconnect, get a 401 and log in.
			send("id: e4\r\nevent: checkin.missed\r\ndata: " + eventJSON("e4", "checkin.missed", true) + "\r\n\r\n")
			mu.Lock()
			valid = "revoked"
			mu.Unlock()
			<-r.Context().Done()
		default:
			send("id: e5\nevent: report.received\ndata: " + eventJSON("e5", "report.received", false) + "\n\n")
			<-r.Context().Done()
		}
	}))
	t.Cleanup(hub.Close)

	c, err := New(hub.URL+"/hubs/demo", Options{Transport: http.DefaultTransport})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var (
		logins   int
		got      []string
		problems []error
		done     = make(chan struct{})
	)
	w := &Watcher{
		Client: c,
		Login: func(ctx context.Context) error {
			logins++
			mu.Lock()
			valid = fmt.Sprintf("tok%d", logins)
			mu.Unlock()
			c.token = valid
			return nil
		},
		Event: func(n Notification) {
			got = append(got, n.ID+" "+n.Type)
			if n.ID == "e5" {
				cancel()
			}
		},
		Status: func(err error, retry time.Duration) {
			if err != nil {
				problems = append(problems, err)
			}
		},
		RetryMin: 10 * time.Millisecond,
		RetryMax: 50 * time.Millisecond,
		Idle:     300 * time.Millisecond,
	}
	go func() {
		defer close(done)
		if err := w.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	<-done
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("the watcher did not get to e5: events %q, problems %v", got, problems)
	}
	want := []string{"e1 report.received", "e3 alert.received", "e4 checkin.missed", "e5 report.received"}
	if !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	if logins != 3 {
		t.Errorf("%d logins, want 3 (at the start, after expired, after a 401)", logins)
	}
	var dropped, idle bool
	for _, err := range problems {
		dropped = dropped || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		idle = idle || errors.Is(err, ErrStreamIdle)
	}
	if !dropped || !idle {
		t.Errorf("problems reported: %v; want a dropped connection and a silent one", problems)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"Bearer tok1", "Bearer tok1", "Bearer tok2", "Bearer tok2", "Bearer tok3"}; !slices.Equal(tokens, want) {
		t.Errorf("tokens sent %q, want %q", tokens, want)
	}
}

// TestWatcherGivesUp checks that what retrying cannot fix ends Run.
func TestWatcherGivesUp(t *testing.T) {
	t.Parallel()
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"error":{"code":"not_found","message":"no such hub"}}`)
	}))
	t.Cleanup(hub.Close)
	c, err := New(hub.URL+"/hubs/demo", Options{Transport: http.DefaultTransport})
	if err != nil {
		t.Fatal(err)
	}
	c.token = "t"
	w := &Watcher{Client: c, Login: func(context.Context) error { return nil }, Event: func(Notification) {}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.Run(ctx); err == nil || ctx.Err() != nil {
		t.Fatalf("Run = %v, want a not_found error at once", err)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 10: time.Minute} {
		for range 20 {
			if d := backoff(time.Second, time.Minute, n); d > want || d < want*3/4 {
				t.Errorf("backoff after %d failures: %v, want %v less up to a quarter", n, d, want)
			}
		}
	}
}
