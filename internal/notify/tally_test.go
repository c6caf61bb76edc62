package notify

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/wire"
)

// TestUrgentDeliveriesAreTalliedNotLogged: urgent deliveries, accepted or
// refused, write no line as they go out, at any level; the hourly tally
// then writes their counts, once, and forgets them.
func TestUrgentDeliveriesAreTalliedNotLogged(t *testing.T) {
	t.Parallel()
	secret := newSecret(t)
	ok := newReceiver(t, secret)
	refusing := newReceiver(t, secret)
	refusing.answer(500)
	c := newClock()
	s := newTestStore(t, c)
	var logs bytes.Buffer
	w := newTestWorker(t, s, c, webhookChannel("ok", ok.URL, secret), webhookChannel("refusing", refusing.URL, secret))
	w.log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	submit(t, s, testHub, wire.EventAlertReceived, true)
	step(t, w)
	if len(ok.requests()) != 1 || len(refusing.requests()) != 1 {
		t.Fatalf("deliveries: %d and %d", len(ok.requests()), len(refusing.requests()))
	}
	if logs.Len() != 0 {
		t.Fatalf("logged as the alert went out:\n%s", logs.String())
	}
	w.logUrgentTally()
	out := logs.String()
	for _, want := range []string{
		`msg="notify: urgent notifications in the past hour" hub=it channel=ok delivered=1 failed_attempts=0`,
		`msg="notify: urgent notifications in the past hour" hub=it channel=refusing delivered=0 failed_attempts=1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	logs.Reset()
	w.logUrgentTally()
	if logs.Len() != 0 {
		t.Errorf("the tally was logged twice:\n%s", logs.String())
	}
}

// TestUntilNextHour: the tally is written at whole hours (UTC), whatever
// the moment and the zone.
func TestUntilNextHour(t *testing.T) {
	t.Parallel()
	for _, in := range instants.All(t) {
		name, at := in.Name, in.T
		d := untilNextHour(at)
		next := at.Add(d).UTC()
		if d <= 0 || d > time.Hour || next.Minute() != 0 || next.Second() != 0 || next.Nanosecond() != 0 {
			t.Errorf("%s (%v): %v to %v", name, at, d, next)
		}
	}
}

// TestExplainScrubsTimes: what a receiver or mail server answers may echo
// the moment of sending; an explained error, which goes to logs and the
// outbox, keeps none of it.
func TestExplainScrubsTimes(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		&StatusError{Code: 400, Body: "webhook-timestamp 1767225600 too old at 2026-01-01T00:10:02.123Z"},
		&StatusError{Code: 400, Body: "stale: 1767225600123"},
		errors.New("421 4.7.0 try again at Thu, 01 Jan 2026 00:10:02 +0000"),
		errors.New("greylisted until 2026-01-01 00:15"),
	} {
		got := Explain(err)
		for _, leak := range []string{"1767225600", "00:10", "00:15", "2026-01-01T"} {
			if strings.Contains(got, leak) {
				t.Errorf("%q keeps %q", got, leak)
			}
		}
		if !strings.Contains(got, "[time]") {
			t.Errorf("%q: nothing replaced", got)
		}
	}
}
