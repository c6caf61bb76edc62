package bench

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"difesa.org/difesa/internal/wire"
)

// Arrival is one webhook notification as a [WebhookReceiver] got it.
type Arrival struct {
	ID          string
	Type        string
	Hub         string
	Count       int
	Urgent      bool
	Submissions []string
	// At is when the request arrived, on this machine's clock.
	At time.Time
}

// WebhookReceiver is a webhook endpoint on 127.0.0.1 that checks each
// notification's Standard Webhooks signature and records when it arrived.
// It answers 204 to signed notifications and 401 to anything else.
type WebhookReceiver struct {
	// URL is where to point a webhook channel.
	URL string
	// Secret is the channel's secret (whsec_…).
	Secret string

	key   []byte
	delay func() time.Duration
	srv   *http.Server
	hold  func(Arrival) bool

	mu       sync.Mutex
	arrivals []Arrival
	bad      []string
}

// NewWebhookReceiver starts a receiver with a fresh secret. delay, if not
// nil, is how long to wait before answering each notification (to widen
// the moment a sender may be killed mid-delivery).
func NewWebhookReceiver(delay func() time.Duration) (*WebhookReceiver, error) {
	key := make([]byte, 32)
	rand.Read(key)
	r := &WebhookReceiver{
		Secret: "whsec_" + base64.StdEncoding.EncodeToString(key),
		key:    key,
		delay:  delay,
	}
	srv, base, err := serveLoopback(r)
	if err != nil {
		return nil, err
	}
	r.srv, r.URL = srv, base+"/hook"
	return r, nil
}

// serveLoopback serves h on a free port of 127.0.0.1 and returns the
// server and its base URL (http://127.0.0.1:PORT).
func serveLoopback(h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	go srv.Serve(ln)
	return srv, "http://" + ln.Addr().String(), nil
}

// Close stops the receiver.
func (r *WebhookReceiver) Close() error { return r.srv.Close() }

// ServeHTTP records one notification.
func (r *WebhookReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, 1<<20))
	if err != nil {
		r.refuse(w, "unreadable body: "+err.Error())
		return
	}
	id, ts := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp")
	if !r.signed(id, ts, body, req.Header.Get("webhook-signature")) {
		r.refuse(w, "bad signature for "+id)
		return
	}
	var n struct {
		ID          string   `json:"id"`
		Type        string   `json:"type"`
		Hub         string   `json:"hub"`
		Count       int      `json:"count"`
		Urgent      bool     `json:"urgent"`
		Submission  string   `json:"submission"`
		Submissions []string `json:"submissions"`
	}
	if err := json.Unmarshal(body, &n); err != nil || n.ID != id {
		r.refuse(w, fmt.Sprintf("body %q does not match webhook-id %q", body, id))
		return
	}
	if n.Submission != "" {
		n.Submissions = append(n.Submissions, n.Submission)
	}
	a := Arrival{ID: n.ID, Type: n.Type, Hub: n.Hub, Count: n.Count, Urgent: n.Urgent, Submissions: n.Submissions, At: at}
	r.mu.Lock()
	r.arrivals = append(r.arrivals, a)
	hold := r.hold != nil && r.hold(a)
	r.mu.Unlock()
	if hold {
		holdUntilGone(req)
		return
	}
	if r.delay != nil {
		time.Sleep(r.delay())
	}
	w.WriteHeader(http.StatusNoContent)
}

// Hold makes the receiver record, then never answer, the notifications
// for which hold returns true (nil: answer all again): the sender sees no
// outcome until it gives up or dies, as when a crash comes between a
// delivery and its record.
func (r *WebhookReceiver) Hold(hold func(Arrival) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hold = hold
}

// holdUntilGone waits, without answering, until the sender of req hangs
// up (at most a minute).
func holdUntilGone(req *http.Request) {
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	select {
	case <-req.Context().Done():
	case <-t.C:
	}
}

func (r *WebhookReceiver) refuse(w http.ResponseWriter, why string) {
	r.mu.Lock()
	r.bad = append(r.bad, why)
	r.mu.Unlock()
	http.Error(w, "refused", http.StatusUnauthorized)
}

// signed checks a Standard Webhooks signature header.
func (r *WebhookReceiver) signed(id, ts string, body []byte, header string) bool {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(id + "." + ts + "."))
	m.Write(body)
	want := m.Sum(nil)
	for _, sig := range strings.Fields(header) {
		b64, ok := strings.CutPrefix(sig, "v1,")
		if !ok {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// Arrivals returns every notification received so far, in order of
// arrival, repeats included.
func (r *WebhookReceiver) Arrivals() []Arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Arrival(nil), r.arrivals...)
}

// Refused returns why requests were refused (bad signatures, bodies).
func (r *WebhookReceiver) Refused() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bad...)
}

// WaitFor polls until cond holds for the arrivals so far or ctx ends.
func (r *WebhookReceiver) WaitFor(ctx context.Context, cond func([]Arrival) bool) error {
	for {
		if cond(r.Arrivals()) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// SubmitKind is [HubClient.Submit] for a given kind of submission
// (wire.KindReport, wire.KindAlert).
func (c *HubClient) SubmitKind(ctx context.Context, kind string, body io.Reader, size int64) (wire.SubmissionCreated, error) {
	var created wire.SubmissionCreated
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.api("/submissions?kind="+kind), body)
	if err != nil {
		return created, err
	}
	req.ContentLength = size
	if size == 0 {
		req.Body = http.NoBody
	}
	req.Header.Set("Content-Type", wire.MediaTypeAge)
	err = c.do(req, http.StatusCreated, &created)
	if err == nil && created.Kind != kind {
		err = errors.New("bench: the server stored a " + created.Kind + ", not a " + kind)
	}
	return created, err
}
