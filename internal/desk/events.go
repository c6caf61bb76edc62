package desk

import (
	"encoding/json"
	"net/http"
	"time"

	"difesa.org/difesa/internal/desk/casebook"
)

// heartbeat is how often the event stream says it is alive.
const heartbeat = 25 * time.Second

// event is one live update as the page's script reads it.
type event struct {
	Hub    string `json:"hub"`
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Urgent bool   `json:"urgent"`
}

// events streams the casebook's changes to the page (server-sent events):
// which case changed, never its content.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	ch, stop := s.book.Changes()
	defer stop()
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(": desk\n\n"))
	rc.Flush()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		rc.SetWriteDeadline(time.Now().Add(2 * heartbeat))
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			if _, err := w.Write([]byte(": alive\n\n")); err != nil {
				return
			}
		case c, ok := <-ch:
			if !ok {
				return
			}
			if c.Kind == casebook.KindGone {
				s.thumbs.forgetCase(c.Hub, c.ID)
			}
			b, _ := json.Marshal(event{c.Hub, c.ID, c.Kind, c.Urgent})
			if _, err := w.Write([]byte("event: change\ndata: " + string(b) + "\n\n")); err != nil {
				return
			}
		}
		if rc.Flush() != nil {
			return
		}
	}
}
