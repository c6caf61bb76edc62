package notify

import (
	"errors"
	"mime"
	"net/mail"
	"strings"
	"testing"

	"difesa.org/difesa/internal/wire"
)

// TestEmailUsesOnlyItsAuthMechanisms: against a real SMTP server on
// loopback that offers only CRAM-MD5 (or NTLM, or no AUTH at all), the
// send fails with an error that says so, and the client never tries a
// mechanism other than SCRAM-SHA-256, SCRAM-SHA-1, PLAIN or LOGIN, as
// docs/notifications.md promises. go-mail's opportunistic choice fell
// back to discovering any mechanism it knows, CRAM-MD5 included.
func TestEmailUsesOnlyItsAuthMechanisms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		mechs []string
		want  string
	}{
		{"cram-md5 only", []string{"CRAM-MD5"}, "it offers CRAM-MD5"},
		{"cram-md5 and ntlm", []string{"CRAM-MD5", "NTLM", "XOAUTH2"}, "it offers CRAM-MD5, NTLM, XOAUTH2"},
		{"no auth", nil, "offers no SMTP AUTH at all"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newSMTPServerOffering(t, false, tc.mechs)
			res := TestChannels(t.Context(), testHub, Hub{URL: hubURL, Channels: []ChannelConfig{emailChannel(srv, t, "starttls")}}, "")
			r := res[0]
			t.Logf("%s", r.Problem)
			if r.OK() || !errors.Is(r.Err, ErrSMTPAuthMechanism) || !strings.Contains(r.Err.Error(), tc.want) ||
				!strings.Contains(r.Problem, "none of the login methods difesa uses") {
				t.Errorf("problem %q (%v), want ErrSMTPAuthMechanism with %q", r.Problem, r.Err, tc.want)
			}
			srv.mu.Lock()
			tried := srv.tried
			srv.mu.Unlock()
			if len(tried) != 0 {
				t.Errorf("the client tried %v", tried)
			}
			if n := len(srv.received()); n != 0 {
				t.Errorf("%d messages sent without logging in", n)
			}
		})
	}
	// A server that also offers PLAIN gets PLAIN, whatever comes first.
	srv := newSMTPServerOffering(t, false, []string{"CRAM-MD5", "PLAIN"})
	res := TestChannels(t.Context(), testHub, Hub{URL: hubURL, Channels: []ChannelConfig{emailChannel(srv, t, "starttls")}}, "")
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if !res[0].OK() || len(srv.tried) != 1 || srv.tried[0] != "PLAIN" {
		t.Errorf("with PLAIN offered: %s, tried %v", res[0].Problem, srv.tried)
	}
}

// TestEmailNotUrgent: a batch of reports carries no priority headers.
func TestEmailNotUrgent(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, false)
	c := newClock()
	s := newTestStore(t, c)
	w := newTestWorker(t, s, c, emailChannel(srv, t, "starttls"))
	submit(t, s, testHub, wire.EventReportReceived, false)
	step(t, w) // opens the batch window
	c.Advance(DefaultBatchWindow)
	step(t, w)
	msgs := srv.received()
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	m, err := mail.ReadMessage(strings.NewReader(string(msgs[0].Data)))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	for _, h := range []string{"Importance", "Priority", "X-Priority", "X-MSMail-Priority"} {
		if v := m.Header.Get(h); v != "" {
			t.Errorf("%s: %s %q", subject, h, v)
		}
	}
}

// TestEmailRetryMailsOnlyTheRest: when the server refuses one address,
// the others get the message once; the retries go to the refused address
// only, and the notification is delivered once it takes it.
func TestEmailRetryMailsOnlyTheRest(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, false)
	ch := emailChannel(srv, t, "starttls")
	ch.To = []string{"a@example.org", "b@example.org", "c@example.org"}
	srv.mu.Lock()
	srv.refuse = map[string]bool{"b@example.org": true}
	srv.mu.Unlock()
	c := newClock()
	s := newTestStore(t, c)
	w := newTestWorker(t, s, c, ch)
	submit(t, s, testHub, wire.EventAlertReceived, true)
	step(t, w)
	rcpts := func() (out []string) {
		for _, m := range srv.received() {
			out = append(out, m.To...)
		}
		return out
	}
	if got := rcpts(); strings.Join(got, " ") != "a@example.org c@example.org" {
		t.Fatalf("first attempt reached %v", got)
	}
	if evs := events(t, s); len(evs) != 1 || evs[0].Deliveries["mail"].State != "pending" {
		t.Fatalf("outbox after a refused address: %+v", evs)
	}
	for range 2 { // retries while b is still refused
		c.Advance(DefaultRetryMax)
		step(t, w)
	}
	if got := rcpts(); len(got) != 2 {
		t.Fatalf("the retries mailed the others again: %v", got)
	}
	srv.mu.Lock()
	srv.refuse = nil
	srv.mu.Unlock()
	c.Advance(DefaultRetryMax)
	step(t, w)
	if got := rcpts(); strings.Join(got, " ") != "a@example.org c@example.org b@example.org" {
		t.Fatalf("after b came back: %v", got)
	}
	if evs := events(t, s); len(evs) != 0 {
		t.Errorf("%d events left once every address took it", len(evs))
	}
}
