package casebook

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/caserecord"
)

// TestWorkLiveEvents: with the desk running (its periodic sync an hour
// away), a colleague's change of a case record, and of the hub's label
// set, reach the desk through the hub's event stream alone.
func TestWorkLiveEvents(t *testing.T) {
	f := newFixture(t)
	id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "x"}, nil, false)
	streaming := make(chan struct{})
	var once sync.Once
	o := f.options()
	o.Hubs[0].HTTPClient = &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		resp, err := f.tr.RoundTrip(r)
		if err == nil && resp.StatusCode == http.StatusOK && strings.HasSuffix(r.URL.Path, "/events") {
			once.Do(func() { close(streaming) })
		}
		return resp, err
	})}
	b, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { defer close(ran); b.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-ran; b.Close() })
	changes, stop := b.Changes()
	defer stop()
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for !cond() {
			select {
			case <-changes:
			case <-deadline:
				t.Fatalf("waiting for %s", what)
			}
		}
	}
	waitUntil("the first sync", func() bool {
		s, _ := b.Settings(demoHub)
		return mustInbox(t, b, Filter{}).Total == 1 && s.Me != ""
	})
	// A write before the event stream is open would wait for the next
	// sync, an hour away: the test waits for the stream.
	select {
	case <-streaming:
	case <-time.After(30 * time.Second):
		t.Fatal("the desk did not open the hub's event stream")
	}
	col := f.responder(t)
	ids := []age.Identity{f.id}
	colleagueSettings(t, col, ids, []string{"legal"}, nil)
	waitUntil("the hub's new label", func() bool {
		s, _ := b.Settings(demoHub)
		return slices.Contains(s.Labels, "legal")
	})
	colleagueWrite(t, col, ids, id, func(r *caserecord.Record) error { return r.AddLabel("legal") })
	waitUntil("the case's new label", func() bool {
		c, err := b.Case(demoHub, id)
		return err == nil && slices.Contains(c.Work.Labels, "legal")
	})
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
