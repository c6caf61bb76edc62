package notify

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"difesa.org/difesa/internal/wire"
)

func TestWebhookSignature(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		rotating bool
	}{
		{"one secret", false},
		{"rotation", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			current, previous, stranger := newSecret(t), newSecret(t), newSecret(t)
			r := newReceiver(t, current, previous, stranger)
			ch := webhookChannel("hook", r.URL+"/difesa", current)
			if tc.rotating {
				ch.PreviousSecret = previous
			}
			c := newClock()
			s := newTestStore(t, c)
			w := newTestWorker(t, s, c, ch)
			sub := submit(t, s, testHub, wire.EventAlertReceived, true)
			before := time.Now().Unix()
			step(t, w)

			reqs := r.requests()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			got := reqs[0]
			want := []string{current}
			if tc.rotating {
				want = append(want, previous)
			}
			if len(got.Verified) != len(want) || got.Verified[0] != want[0] || (tc.rotating && got.Verified[1] != previous) {
				t.Errorf("signatures verified with %d secrets, want %d (header %q)", len(got.Verified), len(want), got.Header.Get("webhook-signature"))
			}
			if got.Method != "POST" || got.Path != "/difesa" || got.Header.Get("Content-Type") != "application/json" {
				t.Errorf("request %s %s %s", got.Method, got.Path, got.Header.Get("Content-Type"))
			}
			ts, err := strconv.ParseInt(got.Header.Get("webhook-timestamp"), 10, 64)
			if err != nil || ts < before || ts > time.Now().Unix() {
				t.Errorf("webhook-timestamp %q is not the time of sending", got.Header.Get("webhook-timestamp"))
			}
			var body map[string]any
			if err := json.Unmarshal(got.Body, &body); err != nil {
				t.Fatal(err)
			}
			wantBody := map[string]any{
				"id": got.Header.Get("webhook-id"), "type": wire.EventAlertReceived, "hub": testHub,
				"count": 1.0, "url": hubURL, "urgent": true,
			}
			if len(body) != len(wantBody) {
				t.Errorf("body %s has fields beyond %v", got.Body, wantBody)
			}
			for k, v := range wantBody {
				if body[k] != v {
					t.Errorf("body[%s] = %v, want %v", k, body[k], v)
				}
			}
			assertContentFree(t, "webhook", dumpRequest(got), sub)
			if evs := events(t, s); len(evs) != 0 {
				t.Errorf("%d events left in the outbox", len(evs))
			}
		})
	}
}

func TestWebhookSubmissionOptIn(t *testing.T) {
	t.Parallel()
	secret := newSecret(t)
	r := newReceiver(t, secret)
	ch := webhookChannel("hook", r.URL, secret)
	ch.IncludeSubmissionID = true
	c := newClock()
	s := newTestStore(t, c)
	w := newTestWorker(t, s, c, ch)
	one := submit(t, s, testHub, wire.EventAlertReceived, true)
	step(t, w)
	a := submit(t, s, testHub, wire.EventReportReceived, false)
	b := submit(t, s, testHub, wire.EventReportReceived, false)
	step(t, w) // the window starts
	c.Advance(DefaultBatchWindow)
	step(t, w)
	reqs := r.requests()
	if len(reqs) != 2 {
		t.Fatalf("got %d requests, want 2", len(reqs))
	}
	var first, second webhookBody
	json.Unmarshal(reqs[0].Body, &first)
	json.Unmarshal(reqs[1].Body, &second)
	if first.Submission != one || first.Submissions != nil {
		t.Errorf("alert body %s, want submission %s", reqs[0].Body, one)
	}
	if second.Count != 2 || len(second.Submissions) != 2 || second.Submissions[0] != a || second.Submissions[1] != b {
		t.Errorf("batch body %s, want submissions [%s %s]", reqs[1].Body, a, b)
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	secret := newSecret(t)
	other := newReceiver(t, secret)
	same := newReceiver(t, secret)
	// A redirect to the same host (and a 307, keeping the POST) is
	// followed; one to another host is not.
	mux := newReceiver(t, secret)
	mux.Config.Handler = redirectHandler(map[string]string{
		"/moved": "/final",
		"/away":  other.URL + "/x",
		"/final": "",
	}, same)
	for _, tc := range []struct {
		path string
		ok   bool
	}{
		{"/moved", true},
		{"/away", false},
	} {
		res := TestChannels(t.Context(), testHub, Hub{URL: hubURL, Channels: []ChannelConfig{webhookChannel("hook", mux.URL+tc.path, secret)}}, "")
		if res[0].OK() != tc.ok {
			t.Errorf("%s: ok = %v (%v), want %v", tc.path, res[0].OK(), res[0].Err, tc.ok)
		}
	}
	if n := len(other.requests()); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
}
