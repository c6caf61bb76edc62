package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"difesa.org/difesa/internal/wire"
)

// Notification is what a hub's live event stream says of one event: the
// hub, the type of event and how many it stands for, never any content.
// It is the JSON the server sends (docs/notifications.md).
type Notification struct {
	// ID is the event's id; the same event always has the same id.
	ID   string `json:"id"`
	Hub  string `json:"hub"`
	Type string `json:"type"`
	// Count is how many events of Type this notification stands for.
	Count  int    `json:"count"`
	URL    string `json:"url,omitempty"`
	Urgent bool   `json:"urgent"`
	// Submissions are the ids of the submissions concerned.
	Submissions []string `json:"submissions,omitempty"`
	// Alarm is the open alarm an [wire.EventAlarmOpen] event replays (the
	// stream sends one per open alarm when it connects), or nil.
	Alarm *wire.Alarm `json:"alarm,omitempty"`
}

// ErrSessionExpired is returned by [EventStream.Next] when the hub ends
// the stream because the login expired: log in again and reconnect.
var ErrSessionExpired = errors.New("the login expired")

// ErrStreamIdle is returned by [EventStream.Next] when the hub sent
// nothing, not even a keep-alive, for too long: the connection is likely
// dead without either side having noticed.
var ErrStreamIdle = errors.New("the event stream went silent")

// DefaultStreamIdle is how long an event stream may stay silent before
// [EventStream.Next] gives up on it. The hub sends a keep-alive every
// 25 seconds.
const DefaultStreamIdle = 90 * time.Second

// EventStream is an open connection to a hub's live event stream. It is
// not safe for concurrent use, except Close.
type EventStream struct {
	body *idleCloser
	r    *sseReader
}

// Events opens the hub's live event stream (GET
// /api/v1/hubs/ID/events), after [Client.Login]. idle bounds how long the
// stream may stay silent (0: [DefaultStreamIdle]). A login that expired or
// was never made fails with [wire.CodeUnauthorized].
func (c *Client) Events(ctx context.Context, idle time.Duration) (*EventStream, error) {
	if idle <= 0 {
		idle = DefaultStreamIdle
	}
	req, err := c.newRequest(ctx, "GET", c.apiURL("events"), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	body := newIdleCloser(resp.Body, idle)
	return &EventStream{body: body, r: newSSEReader(body)}, nil
}

// Next waits for the next notification. It returns [ErrSessionExpired]
// when the hub ends the stream for an expired login, [ErrStreamIdle] when
// the stream went silent, and a network error or io.EOF when the
// connection ends; the stream is then done.
func (s *EventStream) Next() (Notification, error) {
	for {
		ev, err := s.r.next()
		if err != nil {
			if s.body.timedOut() {
				return Notification{}, ErrStreamIdle
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				err = io.EOF
			}
			return Notification{}, err
		}
		switch ev.typ {
		case "expired":
			return Notification{}, ErrSessionExpired
		case "message":
			continue // not something the hub sends
		}
		var n Notification
		if err := json.Unmarshal([]byte(ev.data), &n); err != nil {
			return Notification{}, fmt.Errorf("unexpected event from the hub: %w", err)
		}
		if n.Type == "" {
			n.Type = ev.typ
		}
		if n.ID == "" {
			n.ID = ev.id
		}
		return n, nil
	}
}

// Close ends the stream.
func (s *EventStream) Close() error { return s.body.Close() }

// idleCloser closes a body that has been silent for longer than idle, so
// that a read blocked on a dead connection returns.
type idleCloser struct {
	rc    io.ReadCloser
	idle  time.Duration
	timer *time.Timer

	mu      sync.Mutex
	expired bool
}

func newIdleCloser(rc io.ReadCloser, idle time.Duration) *idleCloser {
	ic := &idleCloser{rc: rc, idle: idle}
	ic.timer = time.AfterFunc(idle, func() {
		ic.mu.Lock()
		ic.expired = true
		ic.mu.Unlock()
		rc.Close()
	})
	return ic
}

func (ic *idleCloser) Read(p []byte) (int, error) {
	n, err := ic.rc.Read(p)
	if n > 0 {
		ic.timer.Reset(ic.idle)
	}
	return n, err
}

func (ic *idleCloser) timedOut() bool {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	return ic.expired
}

func (ic *idleCloser) Close() error {
	ic.timer.Stop()
	return ic.rc.Close()
}
