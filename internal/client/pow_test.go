package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/pow"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

// newLoadedServer starts a server whose load is forced high, so that it
// asks for bits of proof of work.
func newLoadedServer(t *testing.T, bits int) *testserver.Server {
	t.Helper()
	cfg := config.Default()
	cfg.PoWMinBits, cfg.PoWMaxBits = bits, bits
	srv := testserver.NewWithConfig(t, cfg)
	srv.Instance.PoW.SetLoad(func() pow.Load { return pow.Load{InFlight: 1 << 20} })
	return srv
}

// pipeBody streams an age file for rs through a pipe, as the CLI does: it
// cannot be rewound.
func pipeBody(t *testing.T, rs []age.Recipient) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		w, err := age.Encrypt(pw, rs...)
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		io.WriteString(w, "a report sent while the hub is busy")
		pw.CloseWithError(w.Close())
	}()
	return pr
}

// countingTransport counts requests.
type countingTransport struct {
	http.RoundTripper
	n atomic.Int32
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.RoundTripper.RoundTrip(r)
}

func TestPoWSolvedTransparently(t *testing.T) {
	t.Parallel()
	srv := newLoadedServer(t, 10)
	ct := &countingTransport{RoundTripper: http.DefaultTransport.(*http.Transport).Clone()}
	c, err := client.New(srv.HubURL, client.Options{Transport: ct})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := c.Recipients(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var last client.PoWProgress
	ctx := client.WithPoWProgress(context.Background(), func(p client.PoWProgress) { last = p })
	ct.n.Store(0)
	created, err := c.Submit(ctx, "report", pipeBody(t, rs))
	if err != nil {
		t.Fatalf("Submit under load: %v", err)
	}
	if created.ID == "" || ct.n.Load() != 2 {
		t.Errorf("created %+v in %d requests, want 2", created, ct.n.Load())
	}
	if !last.Done || last.Bits != 10 {
		t.Errorf("last progress report %+v", last)
	}
}

// bufferingTransport reads each request's body whole before sending it,
// as a buffering proxy does.
type bufferingTransport struct{ countingTransport }

func (b *bufferingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		data, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(data))
	}
	return b.countingTransport.RoundTrip(r)
}

// A body already read when the hub asks for work cannot be sent again:
// the upload fails with ErrSendAgain, and the next one carries the
// solution from the start.
func TestPoWSendAgain(t *testing.T) {
	t.Parallel()
	srv := newLoadedServer(t, 10)
	bt := &bufferingTransport{countingTransport{RoundTripper: http.DefaultTransport.(*http.Transport).Clone()}}
	c, _ := client.New(srv.HubURL, client.Options{Transport: bt})
	rs, _ := c.Recipients(context.Background())

	bt.n.Store(0)
	_, err := c.Submit(context.Background(), "report", pipeBody(t, rs))
	if !errors.Is(err, client.ErrSendAgain) || !errors.Is(err, &wire.Error{Code: wire.CodePoWRequired}) || bt.n.Load() != 1 {
		t.Fatalf("first Submit: %v after %d requests", err, bt.n.Load())
	}
	bt.n.Store(0)
	if _, err := c.Submit(context.Background(), "report", pipeBody(t, rs)); err != nil || bt.n.Load() != 1 {
		t.Fatalf("sent again: %v after %d requests", err, bt.n.Load())
	}
}

func TestPoWCancelled(t *testing.T) {
	t.Parallel()
	srv := newLoadedServer(t, config.MaxPoWBits)
	c, _ := client.New(srv.HubURL, client.Options{})
	rs, _ := c.Recipients(context.Background())
	// A challenge of 16 bits takes about one report of progress (one each
	// 65,536 tries), so it is solved before any report about 63 % of the
	// time: try again, up to 40 times (all 40 solved first: 1 in 10⁸).
	for range 40 {
		ctx, cancel := context.WithCancel(context.Background())
		reports := 0
		_, err := c.Submit(client.WithPoWProgress(ctx, func(p client.PoWProgress) { reports++; cancel() }), "report", pipeBody(t, rs))
		cancel()
		if reports == 1 && err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled while solving: %v", err)
			}
			return
		}
	}
	t.Fatal("never cancelled while solving")
}

// expectRecorder records each request's Expect header.
type expectRecorder struct {
	http.RoundTripper
	got []string
}

func (e *expectRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost {
		e.got = append(e.got, r.Header.Get("Expect"))
	}
	return e.RoundTripper.RoundTrip(r)
}

// Reports wait for 100-continue, so that a refusal for want of work costs
// no body; urgent alerts do not wait the round trip, and under load are
// sent again with the solution.
func TestAlertsSkipExpectContinue(t *testing.T) {
	t.Parallel()
	for _, loaded := range []bool{false, true} {
		srv := testserver.New(t)
		if loaded {
			srv = newLoadedServer(t, 8)
		}
		rec := &expectRecorder{RoundTripper: http.DefaultTransport.(*http.Transport).Clone()}
		c, _ := client.New(srv.HubURL, client.Options{Transport: rec})
		rs, _ := c.Recipients(context.Background())
		if _, err := c.Submit(context.Background(), "report", pipeBody(t, rs)); err != nil {
			t.Fatalf("loaded %v: report: %v", loaded, err)
		}
		if rec.got[0] != "100-continue" {
			t.Errorf("loaded %v: a report sent Expect %q", loaded, rec.got[0])
		}
		rec.got = nil
		_, err := c.Submit(context.Background(), "alert", pipeBody(t, rs))
		if errors.Is(err, client.ErrSendAgain) {
			_, err = c.Submit(context.Background(), "alert", pipeBody(t, rs))
		}
		if err != nil {
			t.Fatalf("loaded %v: alert: %v", loaded, err)
		}
		for _, e := range rec.got {
			if e != "" {
				t.Errorf("loaded %v: an alert sent Expect %q", loaded, e)
			}
		}
		if !loaded && len(rec.got) != 1 {
			t.Errorf("an alert took %d requests on an idle hub", len(rec.got))
		}
	}
}

// hostileHub is a reverse proxy in front of srv that raises the
// difficulty of every proof-of-work challenge to bits, as a hostile or
// broken hub could (the client cannot check a challenge's MAC).
func hostileHub(t *testing.T, srv *testserver.Server, bits int) string {
	t.Helper()
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.StatusCode != http.StatusTooManyRequests {
			return nil
		}
		var body map[string]json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return err
		}
		resp.Body.Close()
		var p wire.PoW
		if err := json.Unmarshal(body["pow"], &p); err != nil {
			return err
		}
		f := strings.Split(p.Challenge, ".")
		f[3], p.Difficulty = strconv.Itoa(bits), bits
		p.Challenge = strings.Join(f, ".")
		body["pow"], _ = json.Marshal(p)
		b, _ := json.Marshal(body)
		resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	hs := httptest.NewServer(rp)
	t.Cleanup(hs.Close)
	return hs.URL + "/hubs/demo"
}

// TestPoWRefusesTooHard: a hub that asks for more than pow.MaxSolveBits
// (at 32 bits, hours to days of work) gets a clear refusal at once, and no
// work (TestPoWCancelled works at 16 bits, the most a hub may ask for).
func TestPoWRefusesTooHard(t *testing.T) {
	t.Parallel()
	srv := newLoadedServer(t, 10)
	for _, bits := range []int{pow.MaxSolveBits + 1, pow.MaxBits} {
		c, err := client.New(hostileHub(t, srv, bits), client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		rs, err := c.Recipients(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		reports := 0
		_, err = c.Submit(client.WithPoWProgress(ctx, func(client.PoWProgress) { reports++ }), "report", pipeBody(t, rs))
		cancel()
		if !errors.Is(err, pow.ErrTooHard) || reports != 0 || !strings.Contains(err.Error(), "asks for "+strconv.Itoa(bits)+" bits of proof of work, over the 16") {
			t.Errorf("%d bits: Submit = %v after %d progress reports, want a refusal before any work", bits, err, reports)
		}
	}
}
