package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// eventsKeepAlive is how often an idle event stream sends a comment, so
// proxies (and Tor) keep it open.
const eventsKeepAlive = 25 * time.Second

// handleEvents streams the hub's notifications to a logged-in responder as
// Server-Sent Events: the channel that involves no third party at all. It
// carries what the other channels carry (type, count, submission ids) and
// ends, with an expired event, the moment the token dies.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) error {
	if s.events == nil {
		return apiError(http.StatusServiceUnavailable, wire.CodeUnavailable, "this server has no event stream")
	}
	h := hubOf(r)
	bearer, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	sess, err := s.auth.Authenticate(h, strings.TrimSpace(bearer))
	if err != nil {
		return err
	}
	ch, cancel := s.events.Subscribe(h.ID)
	defer cancel()

	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": difesa event stream\n\n")
	// Every open alarm first (subscribed already: nothing committed
	// meanwhile is missed), so a responder who connects late still
	// learns of it.
	if err := s.replayAlarms(w, h.ID); err != nil {
		s.log.Error("events: unable to replay alarms", "hub", h.ID, "err", err)
	}
	rc.Flush()

	// The session ends the stream when it dies (logout, a manifest that
	// leaves the recipient out, expiry seen by the pruner); the timer
	// ends it at the very moment of expiry.
	expired := time.NewTimer(sess.Expires.Sub(s.now()))
	defer expired.Stop()
	tick := time.NewTicker(eventsKeepAlive)
	defer tick.Stop()
	for {
		rc.SetWriteDeadline(time.Now().Add(eventsKeepAlive + 10*time.Second))
		select {
		case <-r.Context().Done():
			return nil
		case <-expired.C:
			return endStream(w, rc)
		case <-sess.Done():
			return endStream(w, rc)
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
		case n, ok := <-ch:
			if !ok {
				return nil
			}
			select {
			case <-sess.Done(): // both were ready: the death comes first
				return endStream(w, rc)
			default:
			}
			if !s.visibleTo(h.ID, sess.Recipient, &n) {
				continue // of a case restricted to others only
			}
			data, _ := json.Marshal(n)
			if _, err := fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", n.ID, n.Type, data); err != nil {
				return nil
			}
		}
		rc.Flush()
	}
}

// replayAlarms writes one alarm.open event per open alarm of hub, oldest
// first, the alarm's id as the event's.
func (s *Server) replayAlarms(w http.ResponseWriter, hubID string) error {
	list, err := s.store.Alarms(hubID)
	if err != nil {
		return err
	}
	for i := len(list) - 1; i >= 0; i-- {
		a := list[i]
		if a.State != store.AlarmOpen {
			continue
		}
		ev := wire.AlarmReplay{
			ID: a.ID.String(), Hub: hubID, Type: wire.EventAlarmOpen, Count: 1, Urgent: true,
			Submissions: []string{a.Submission.String()}, Alarm: wireAlarm(a),
		}
		data, _ := json.Marshal(ev)
		if _, err := fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", ev.ID, ev.Type, data); err != nil {
			return nil // the client went away
		}
	}
	return nil
}

// endStream tells the client its login is no longer valid (it expired, was
// logged out or its recipient was removed): log in again, or give up if
// that fails.
func endStream(w http.ResponseWriter, rc *http.ResponseController) error {
	fmt.Fprint(w, "event: expired\ndata: {}\n\n")
	rc.Flush()
	return nil
}
