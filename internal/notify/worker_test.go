package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

func bodyOf(t *testing.T, r request) webhookBody {
	t.Helper()
	var b webhookBody
	if err := json.Unmarshal(r.Body, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBatching(t *testing.T) {
	t.Parallel()
	secret := newSecret(t)
	r := newReceiver(t, secret)
	c := newClock() // 10:00:30
	s := newTestStore(t, c)
	w := newTestWorker(t, s, c, webhookChannel("hook", r.URL, secret))

	var subs []string
	for range 5 {
		subs = append(subs, submit(t, s, testHub, wire.EventReportReceived, false))
		step(t, w)
		c.Advance(time.Minute)
	}
	if n := len(r.requests()); n != 0 {
		t.Fatalf("%d notifications before the window ended", n)
	}
	// An alert goes out at once, on its own.
	subs = append(subs, submit(t, s, testHub, wire.EventAlertReceived, true))
	step(t, w)
	reqs := r.requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d notifications after the alert, want 1", len(reqs))
	}
	if b := bodyOf(t, reqs[0]); b.Type != wire.EventAlertReceived || b.Count != 1 || !b.Urgent {
		t.Errorf("alert notification %+v", b)
	}

	c.Advance(5 * time.Minute) // 10:10:30, past the window's end at 10:10
	step(t, w)
	reqs = r.requests()
	if len(reqs) != 2 {
		t.Fatalf("got %d notifications, want 2", len(reqs))
	}
	b := bodyOf(t, reqs[1])
	if b.Type != wire.EventReportReceived || b.Count != 5 || b.Urgent {
		t.Errorf("batch notification %+v, want 5 reports", b)
	}
	if reqs[0].Header.Get("webhook-id") == reqs[1].Header.Get("webhook-id") {
		t.Error("two notifications share an id")
	}

	// A report in the next window waits for its end.
	subs = append(subs, submit(t, s, testHub, wire.EventReportReceived, false))
	step(t, w)
	c.Advance(9 * time.Minute) // 10:19:30
	step(t, w)
	if n := len(r.requests()); n != 2 {
		t.Fatalf("a notification went out before the window's end")
	}
	c.Advance(time.Minute)
	step(t, w)
	reqs = r.requests()
	if len(reqs) != 3 || bodyOf(t, reqs[2]).Count != 1 {
		t.Fatalf("got %d notifications, want a third with count 1", len(reqs))
	}
	for _, req := range reqs {
		if len(req.Verified) != 1 {
			t.Error("unsigned notification")
		}
		assertContentFree(t, "webhook", dumpRequest(req), subs...)
	}
	if evs := events(t, s); len(evs) != 0 {
		t.Errorf("%d events left in the outbox", len(evs))
	}
}

func TestRetrySameID(t *testing.T) {
	t.Parallel()
	secret := newSecret(t)
	r := newReceiver(t, secret)
	r.body = "overloaded\nsecond line"
	r.answer(http.StatusInternalServerError, http.StatusInternalServerError)
	c := newClock()
	s := newTestStore(t, c)
	w := newTestWorker(t, s, c, webhookChannel("hook", r.URL, secret))
	submit(t, s, testHub, wire.EventAlertReceived, true)

	step(t, w)
	evs := events(t, s)
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	d := evs[0].Deliveries["hook"]
	if d.State != store.DeliveryPending || d.Attempts != 1 || !strings.Contains(d.LastError, "500") || !strings.Contains(d.LastError, "overloaded") || strings.Contains(d.LastError, "second line") {
		t.Errorf("after a 500: %+v", d)
	}
	step(t, w) // the retry is not due yet
	if n := len(r.requests()); n != 1 {
		t.Fatalf("%d requests before the backoff ended", n)
	}
	for range 2 {
		c.Advance(DefaultRetryMax)
		step(t, w)
	}
	reqs := r.requests()
	if len(reqs) != 3 {
		t.Fatalf("got %d requests, want 3", len(reqs))
	}
	for _, req := range reqs[1:] {
		if req.Header.Get("webhook-id") != reqs[0].Header.Get("webhook-id") {
			t.Errorf("retry with id %s, first was %s", req.Header.Get("webhook-id"), reqs[0].Header.Get("webhook-id"))
		}
	}
	if evs := events(t, s); len(evs) != 0 {
		t.Errorf("%d events left after delivery", len(evs))
	}
	c.Advance(time.Hour)
	step(t, w)
	if n := len(r.requests()); n != 3 {
		t.Errorf("delivered more than once: %d requests", n)
	}
}

func TestRestartResendsSameID(t *testing.T) {
	t.Parallel()
	secret := newSecret(t)
	r := newReceiver(t, secret)
	r.answer(http.StatusServiceUnavailable)
	c := newClock()
	s := newTestStore(t, c)
	w := newTestWorker(t, s, c, webhookChannel("hook", r.URL, secret))
	for range 3 {
		submit(t, s, testHub, wire.EventReportReceived, false)
	}
	step(t, w)
	c.Advance(DefaultBatchWindow)
	step(t, w) // the batch is formed, its id stored, and the attempt fails

	var batch string
	for _, ev := range events(t, s) {
		d := ev.Deliveries["hook"]
		if d == nil || d.Batch == "" || (batch != "" && d.Batch != batch) {
			t.Fatalf("delivery %+v: want one stored batch id", d)
		}
		batch = d.Batch
	}

	// A new worker, as after a restart, sends the same batch at once.
	w2 := newTestWorker(t, s, c, webhookChannel("hook", r.URL, secret))
	step(t, w2)
	reqs := r.requests()
	if len(reqs) != 2 {
		t.Fatalf("got %d requests, want 2", len(reqs))
	}
	for _, req := range reqs {
		if id := req.Header.Get("webhook-id"); id != batch || bodyOf(t, req).Count != 3 {
			t.Errorf("sent %s with count %d, want %s with count 3", id, bodyOf(t, req).Count, batch)
		}
	}
	if evs := events(t, s); len(evs) != 0 {
		t.Errorf("%d events left", len(evs))
	}
}

func TestLifetime(t *testing.T) {
	t.Parallel()
	secret := newSecret(t)
	bad := newReceiver(t, secret)
	bad.body = "maintenance"
	bad.answer(503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503)
	good := newReceiver(t, secret)
	c := newClock()
	s := newTestStore(t, c)
	var logs bytes.Buffer
	w := newTestWorker(t, s, c, webhookChannel("bad", bad.URL, secret), webhookChannel("good", good.URL, secret))
	w.log = slog.New(slog.NewTextHandler(&logs, nil))
	submit(t, s, testHub, wire.EventAlertReceived, true)
	step(t, w)

	rep, err := OutboxReport(s, map[string]Hub{testHub: {Channels: []ChannelConfig{{Name: "bad"}, {Name: "good"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Hubs) != 1 || len(rep.Hubs[0].Channels) != 2 {
		t.Fatalf("report %+v", rep)
	}
	b, g := rep.Hubs[0].Channels[0], rep.Hubs[0].Channels[1]
	if b.Pending != 1 || b.Attempts != 1 || !strings.Contains(b.LastError, "503") || g.Delivered != 1 {
		t.Errorf("report: bad %+v, good %+v", b, g)
	}
	var text bytes.Buffer
	rep.WriteTo(&text)
	if !strings.Contains(text.String(), "it/bad: last error: the receiver has a problem") {
		t.Errorf("report text:\n%s", text.String())
	}

	for range 12 { // retries for a day, and a bit
		c.Advance(3 * time.Hour)
		step(t, w)
	}
	// Failed for good: on show to the operator, not tried again.
	if evs := events(t, s); len(evs) != 1 || evs[0].Deliveries["bad"].State != store.DeliveryFailed {
		t.Errorf("after the lifetime: %+v, want the event kept as failed", evs)
	}
	n := len(bad.requests())
	if n < 3 || n > 12 {
		t.Errorf("%d attempts", n)
	}
	if !strings.Contains(logs.String(), "failed for good") || !strings.Contains(logs.String(), "maintenance") {
		t.Errorf("no warning with the last error in the log:\n%s", logs.String())
	}
	if len(good.requests()) != 1 {
		t.Errorf("the good channel got %d notifications", len(good.requests()))
	}
}

func TestLifetimeFailedState(t *testing.T) {
	t.Parallel()
	// One channel gives up while another still waits for its window: the
	// event stays, with the failed state and the last error.
	secret := newSecret(t)
	bad := newReceiver(t, secret)
	bad.answer(502, 502, 502)
	slow := newReceiver(t, secret)
	c := newClock()
	s := newTestStore(t, c)
	slowCh := webhookChannel("slow", slow.URL, secret)
	slowCh.BatchWindow = Duration(48 * time.Hour)
	w := newTestWorker(t, s, c, webhookChannel("bad", bad.URL, secret), slowCh)
	w.lifetime = 2 * time.Hour
	submit(t, s, testHub, wire.EventReportReceived, false)
	step(t, w)
	for range 3 {
		c.Advance(90 * time.Minute)
		step(t, w)
	}
	evs := events(t, s)
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	d := evs[0].Deliveries["bad"]
	if d.State != store.DeliveryFailed || !strings.Contains(d.LastError, "502") {
		t.Errorf("delivery %+v, want failed with the 502", d)
	}

	// Once the other channel is done too, the failure stays on show for
	// the operator for three days, then leaves.
	c.Advance(48 * time.Hour)
	step(t, w)
	evs = events(t, s)
	if len(evs) != 1 || evs[0].Deliveries["slow"].State != store.DeliveryDelivered {
		t.Fatalf("after the slow window: %d events, %+v", len(evs), evs)
	}
	report, err := OutboxReport(s, map[string]Hub{testHub: {Channels: []ChannelConfig{webhookChannel("bad", bad.URL, secret), slowCh}}})
	if err != nil || len(report.Hubs) != 1 || report.Hubs[0].Channels[0].Failed != 1 || !strings.Contains(report.Hubs[0].Channels[0].LastError, "502") {
		t.Fatalf("outbox report: %+v %v", report, err)
	}
	c.Advance(keepFailed)
	step(t, w)
	if evs := events(t, s); len(evs) != 0 {
		t.Fatalf("%d events left after %v", len(evs), keepFailed)
	}
}

func TestHubWithoutChannels(t *testing.T) {
	t.Parallel()
	c := newClock()
	s := newTestStore(t, c)
	w := newTestWorker(t, s, c)
	notes, cancel := w.broker.Subscribe(testHub)
	defer cancel()
	sub := submit(t, s, testHub, wire.EventReportReceived, false)
	other := submit(t, s, "unconfigured", wire.EventAlertReceived, true)
	step(t, w)
	if evs := events(t, s); len(evs) != 0 {
		t.Errorf("%d events left", len(evs))
	}
	select {
	case n := <-notes:
		if n.Hub != testHub || n.Type != wire.EventReportReceived || n.Count != 1 || len(n.Submissions) != 1 || n.Submissions[0] != sub || n.URL != hubURL {
			t.Errorf("broker sent %+v", n)
		}
	default:
		t.Fatal("nothing on the event stream")
	}
	select {
	case n := <-notes:
		t.Errorf("the stream of %s got %+v (submission %s)", testHub, n, other)
	default:
	}
}

func TestBrokerWithChannels(t *testing.T) {
	t.Parallel()
	secret := newSecret(t)
	r := newReceiver(t, secret)
	c := newClock()
	s := newTestStore(t, c)
	w := newTestWorker(t, s, c, webhookChannel("hook", r.URL, secret))
	notes, cancel := w.broker.Subscribe(testHub)
	submit(t, s, testHub, wire.EventReportReceived, false)
	step(t, w)
	step(t, w)
	if n := len(notes); n != 1 {
		t.Errorf("%d notifications on the stream for one event (published once, not per pass)", n)
	}
	cancel()
	cancel()
	if _, ok := <-notes; !ok {
		t.Error("drained a closed stream too early")
	}
}

// TestKick commits an urgent event while the worker waits, with nothing
// to do for an hour, and kicks it: the delivery must follow at once. The
// event is committed only once the worker has made its first pass and
// waits, so that only Kick can bring it out.
func TestKick(t *testing.T) {
	t.Parallel()
	secret := newSecret(t)
	r := newReceiver(t, secret)
	s := newTestStore(t, nil)
	w := newTestWorker(t, s, nil, webhookChannel("hook", r.URL, secret))
	w.scan = time.Hour // only Kick can wake it
	waiting := make(chan struct{}, 1)
	w.waiting = func() {
		select {
		case waiting <- struct{}{}:
		default:
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	select {
	case <-waiting:
	case <-time.After(5 * time.Second):
		t.Fatal("the worker made no first pass")
	}
	submit(t, s, testHub, wire.EventAlertReceived, true)
	w.Kick()
	select {
	case <-r.arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("no delivery after Kick")
	}
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
}
