package notify

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// canary stands for plaintext that must never reach a notification; the
// test submissions' bytes are full of it, and their size is testSize.
const (
	canary   = "CANARY-PLAINTEXT-7f3a"
	testSize = 73421
	testHub  = "it"
	hubURL   = "http://hubexample.onion/hubs/it"
)

// clock is a settable clock shared by a test's store and worker.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 3, 4, 10, 0, 30, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestStore(t testing.TB, c *clock) *store.Store {
	t.Helper()
	opts := store.Options{}
	if c != nil {
		opts.Now = c.Now
	}
	s, err := store.Open(filepath.Join(t.TempDir(), "difesa.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// submit commits a submission to hub with its event, as the API does.
func submit(t testing.TB, s *store.Store, hub, eventType string, urgent bool) string {
	t.Helper()
	up := s.NewUpload(hub)
	up.Notify(store.Event{Type: eventType, Urgent: urgent})
	body := bytes.Repeat([]byte(canary), testSize/len(canary)+1)[:testSize]
	kind := wire.KindReport
	if urgent {
		kind = wire.KindAlert
	}
	sub, err := up.Commit(body, store.Submission{Kind: kind, Status: wire.StatusNew})
	if err != nil {
		t.Fatal(err)
	}
	return sub.ID.String()
}

func events(t testing.TB, s *store.Store) []*store.Event {
	t.Helper()
	evs, err := s.Events()
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func newSecret(t testing.TB) string {
	t.Helper()
	k := make([]byte, 32)
	rand.Read(k)
	return "whsec_" + base64.StdEncoding.EncodeToString(k)
}

// request is what a receiver got.
type request struct {
	Method, Path string
	Header       http.Header
	Body         []byte
	// Verified lists the secrets whose signature checked out.
	Verified []string
}

// receiver is an HTTP server on 127.0.0.1 that records requests, checks
// Standard Webhooks signatures with the reference library, and answers
// with the statuses queued (then 200).
type receiver struct {
	*httptest.Server
	secrets []string

	mu       sync.Mutex
	reqs     []request
	statuses []int
	body     string
	arrived  chan request
}

func newReceiver(t testing.TB, secrets ...string) *receiver {
	r := &receiver{secrets: secrets, arrived: make(chan request, 1024)}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	got := request{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone(), Body: body}
	for _, s := range r.secrets {
		wh, err := standardwebhooks.NewWebhook(s)
		if err == nil && wh.Verify(body, req.Header) == nil {
			got.Verified = append(got.Verified, s)
		}
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, got)
	status := http.StatusOK
	if len(r.statuses) > 0 {
		status, r.statuses = r.statuses[0], r.statuses[1:]
	}
	respBody := r.body
	r.mu.Unlock()
	r.arrived <- got
	w.WriteHeader(status)
	io.WriteString(w, respBody)
}

// answer queues statuses for the next requests.
func (r *receiver) answer(statuses ...int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.statuses = append(r.statuses, statuses...)
}

func (r *receiver) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.reqs...)
}

func webhookChannel(name, url, secret string) ChannelConfig {
	return ChannelConfig{Name: name, Type: TypeWebhook, URL: url, Secret: secret}
}

func newTestWorker(t testing.TB, s *store.Store, c *clock, channels ...ChannelConfig) *Worker {
	t.Helper()
	o := Options{
		Store:   s,
		Hubs:    map[string]Hub{testHub: {URL: hubURL, Channels: channels}},
		Broker:  NewBroker(),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Timeout: 5 * time.Second,
	}
	if c != nil {
		o.Now = c.Now
	}
	w, err := NewWorker(o)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func step(t testing.TB, w *Worker) {
	t.Helper()
	if err := w.step(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// assertContentFree fails if a notification's bytes carry anything about
// a submission beyond what notifications may say.
func assertContentFree(t testing.TB, what string, data []byte, subIDs ...string) {
	t.Helper()
	s := string(data)
	lower := strings.ToLower(s)
	if strings.Contains(s, canary) || strings.Contains(s, "CANARY") {
		t.Errorf("%s carries plaintext", what)
	}
	if strings.Contains(s, "73421") || strings.Contains(s, "71.7") || strings.Contains(s, "72 KiB") {
		t.Errorf("%s carries a size", what)
	}
	for _, c := range bundle.Categories {
		if c.ID == "other" {
			continue // an English word
		}
		if strings.Contains(lower, strings.ToLower(c.ID)) || strings.Contains(lower, strings.ToLower(c.Title)) {
			t.Errorf("%s names the category %s", what, c.ID)
		}
	}
	for _, id := range subIDs {
		if strings.Contains(s, id) {
			t.Errorf("%s carries submission id %s", what, id)
		}
	}
}

func dumpRequest(r request) []byte {
	var b bytes.Buffer
	b.WriteString(r.Method + " " + r.Path + "\n")
	r.Header.Write(&b)
	b.Write(r.Body)
	return b.Bytes()
}

// testCert returns a self-signed certificate for 127.0.0.1 and names, and
// a CA file (its PEM) to trust it.
func testCert(t testing.TB, names ...string) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "difesa test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              names,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, path
}

// redirectHandler answers 307 to the paths in moves, and hands paths
// mapped to "" to final.
func redirectHandler(moves map[string]string, final *receiver) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to, ok := moves[r.URL.Path]
		switch {
		case !ok:
			http.NotFound(w, r)
		case to == "":
			final.serve(w, r)
		default:
			http.Redirect(w, r, to, http.StatusTemporaryRedirect)
		}
	})
}

func quotedPrintable(b []byte) io.Reader { return quotedprintable.NewReader(bytes.NewReader(b)) }

func base64Reader(b []byte) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, strings.NewReader(strings.NewReplacer("\r", "", "\n", "").Replace(string(b))))
}
