package bidi

import (
	"encoding/json"
	"sync"
)

// Event is one event the browser sent: its method and parameters.
type Event struct {
	Method string
	Params json.RawMessage
}

// Recorder keeps every event of the methods it was made for, from its
// [Browser.Record] on, for diagnostics: console messages
// (log.entryAdded), requests (network.*).
type Recorder struct {
	methods map[string]bool
	mu      sync.Mutex
	events  []Event
}

// maxRecorded bounds what a recorder keeps; later events are dropped.
const maxRecorded = 10000

// Record subscribes to the events named (e.g. "log.entryAdded",
// "network.beforeRequestSent") and returns a recorder that keeps them
// until the browser ends.
func (b *Browser) Record(methods ...string) *Recorder {
	b.t.Helper()
	r := &Recorder{methods: map[string]bool{}}
	for _, m := range methods {
		r.methods[m] = true
	}
	b.mu.Lock()
	b.recorders = append(b.recorders, r)
	b.mu.Unlock()
	b.Do("session.subscribe", map[string]any{"events": methods, "contexts": []string{b.Context}}, nil)
	return r
}

func (r *Recorder) add(m message) {
	if !r.methods[m.Method] {
		return
	}
	r.mu.Lock()
	if len(r.events) < maxRecorded {
		r.events = append(r.events, Event{m.Method, m.Params})
	}
	r.mu.Unlock()
}

// Events returns the events recorded so far and forgets them.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = nil
	return ev
}
