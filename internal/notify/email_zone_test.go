package notify

import (
	"net/mail"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/wire"
)

// TestEmailDateInUTC sends a notification from a server whose zone is
// UTC+14: the Date header is UTC, so the message does not tell where the
// server runs (docs/notifications.md), and it is the time of sending.
func TestEmailDateInUTC(t *testing.T) {
	if !instants.InZone(t, "Pacific/Kiritimati") {
		return
	}
	srv := newSMTPServer(t, false)
	c := newClock()
	s := newTestStore(t, c)
	w := newTestWorker(t, s, c, emailChannel(srv, t, "starttls"))
	submit(t, s, testHub, wire.EventAlertReceived, true)
	before := time.Now().Truncate(time.Second)
	step(t, w)
	after := time.Now()
	msgs := srv.received()
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2 (one per recipient)", len(msgs))
	}
	m, err := mail.ReadMessage(strings.NewReader(string(msgs[0].Data)))
	if err != nil {
		t.Fatal(err)
	}
	date := m.Header.Get("Date")
	sent, err := mail.ParseDate(date)
	if err != nil || !strings.HasSuffix(date, " +0000") || sent.Before(before) || sent.After(after) {
		t.Fatalf("Date %q (%v), want the time of sending in UTC", date, err)
	}
}
