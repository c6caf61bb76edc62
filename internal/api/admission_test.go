package api_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/auth"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// admissionRig is one hub on a real server on loopback, with the hub's
// limits and the server's options as a test sets them.
type admissionRig struct {
	api string // the hub's API base URL
	st  *store.Store
	id  *age.HybridIdentity
	hub *hub.Hub
}

func newAdmissionRig(t *testing.T, o api.Options, limits func(*hub.Hub)) *admissionRig {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "test.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	h, err := hub.New("h", "Limited hub", []string{id.Recipient().String()}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	limits(h)
	authSvc, err := auth.New(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	o.Store, o.Hubs, o.Auth = st, hub.NewRegistry(h), authSvc
	srv := httptest.NewServer(api.New(o))
	t.Cleanup(srv.Close)
	return &admissionRig{api: srv.URL + "/api/v1/hubs/h", st: st, id: id, hub: h}
}

func (r *admissionRig) report(t *testing.T, size int) []byte {
	return encrypt(t, make([]byte, size), false, r.id.Recipient())
}

// checkStore checks that the hub holds exactly want submissions, that its
// stored-bytes count is their sum, and that the database is consistent.
func (r *admissionRig) checkStore(t *testing.T, want int) {
	t.Helper()
	subs, err := r.st.Submissions("h")
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, s := range subs {
		sum += s.Size
	}
	stored, err := r.st.StoredBytes("h")
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != want || stored != sum {
		t.Fatalf("%d submissions of %d bytes, count says %d; want %d submissions", len(subs), sum, stored, want)
	}
	if err := r.st.Verify(); err != nil {
		t.Fatal(err)
	}
}

// unread sends a request whose body never arrives: only an answer given
// before reading the body can come back.
func unread(t *testing.T, url string, contentLength int64) response {
	t.Helper()
	pr, pw := io.Pipe()
	defer pw.Close()
	req, _ := http.NewRequest("POST", url, pr)
	req.Header.Set("Content-Type", wire.MediaTypeAge)
	req.ContentLength = contentLength
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("no answer without the body: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

func TestHourlyCap(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	r := newAdmissionRig(t, api.Options{Now: clock}, func(h *hub.Hub) { h.MaxSubmissionsPerHour = 3 })
	valid := r.report(t, 100)

	steps := []struct {
		name   string
		url    string
		body   []byte // nil: a body that never comes
		status int
		code   string
		retry  int // Retry-After, when refused with 429
	}{
		{"junk does not count", r.api + "/submissions", []byte("not age"), 400, wire.CodeBadAgeHeader, 0},
		{"first", r.api + "/submissions", valid, 201, "", 0},
		{"second", r.api + "/submissions", valid, 201, "", 0},
		{"a refusal after admission gives its place back", r.api + "/submissions?kind=poem", valid, 400, wire.CodeBadRequest, 0},
		{"third", r.api + "/submissions", valid, 201, "", 0},
		{"fourth: refused before the body is read", r.api + "/submissions", nil, 429, wire.CodeTooManyRequests, 3600},
		{"check-ins count too", r.api + "/checkins", nil, 429, wire.CodeTooManyRequests, 3600},
		{"follow-ups count too", r.api + "/thread/messages", nil, 429, wire.CodeTooManyRequests, 3600},
	}
	// Alerts have a reserve of 10 once the hour is full.
	for i := range 10 {
		steps = append(steps, struct {
			name   string
			url    string
			body   []byte
			status int
			code   string
			retry  int
		}{"alert from the reserve " + strconv.Itoa(i), r.api + "/submissions?kind=alert", valid, 201, "", 0})
	}
	steps = append(steps, struct {
		name   string
		url    string
		body   []byte
		status int
		code   string
		retry  int
	}{"the reserve is spent too", r.api + "/submissions?kind=alert", nil, 429, wire.CodeTooManyRequests, 3600})

	for _, st := range steps {
		var got response
		if st.body == nil {
			got = unread(t, st.url, -1)
		} else {
			got = do(t, "POST", st.url, wire.MediaTypeAge, "", bytes.NewReader(st.body))
		}
		if got.status != st.status || (st.code != "" && got.code() != st.code) {
			t.Fatalf("%s: %d %s, want %d %s", st.name, got.status, got.body, st.status, st.code)
		}
		if ra := got.header.Get("Retry-After"); st.retry != 0 && ra != strconv.Itoa(st.retry) {
			t.Fatalf("%s: Retry-After %q, want %d", st.name, ra, st.retry)
		}
	}
	r.checkStore(t, 13)

	// Half an hour later the hour is still full; an hour later it is not.
	mu.Lock()
	now = now.Add(30 * time.Minute)
	mu.Unlock()
	if got := unread(t, r.api+"/submissions", -1); got.status != 429 || got.header.Get("Retry-After") != "1800" {
		t.Fatalf("after 30 minutes: %d, Retry-After %q", got.status, got.header.Get("Retry-After"))
	}
	mu.Lock()
	now = now.Add(30 * time.Minute)
	mu.Unlock()
	if got := do(t, "POST", r.api+"/submissions", wire.MediaTypeAge, "", bytes.NewReader(valid)); got.status != 201 {
		t.Fatalf("an hour later: %d %s", got.status, got.body)
	}
}

func TestStoredBytesQuota(t *testing.T) {
	t.Parallel()
	r := newAdmissionRig(t, api.Options{}, func(h *hub.Hub) { h.MaxStoredBytes = 10_000 })
	small := r.report(t, 1000) // about 1.7 KB with the post-quantum stanza
	size := int64(len(small))
	fit := int(10_000 / size)

	for i := range fit {
		if got := do(t, "POST", r.api+"/submissions", wire.MediaTypeAge, "", bytes.NewReader(small)); got.status != 201 {
			t.Fatalf("upload %d of %d that fit: %d %s", i, fit, got.status, got.body)
		}
	}
	left := 10_000 - int64(fit)*size
	big := r.report(t, int(left)) // over what is left by its header and tag
	tests := []struct {
		name string
		send func() response
	}{
		{"declared length too large, refused unread", func() response { return unread(t, r.api+"/submissions", size) }},
		{"chunked, refused while streaming", func() response {
			return do(t, "POST", r.api+"/submissions", wire.MediaTypeAge, "", io.MultiReader(bytes.NewReader(big)))
		}},
		{"armored, declared", func() response {
			return do(t, "POST", r.api+"/submissions", "text/plain", "", bytes.NewReader(encrypt(t, make([]byte, 3000), true, r.id.Recipient())))
		}},
		{"a check-in's instructions", func() response { return unread(t, r.api+"/checkins?every=1h", size) }},
	}
	for _, tt := range tests {
		got := tt.send()
		if got.status != http.StatusInsufficientStorage || got.code() != wire.CodeQuotaExceeded {
			t.Fatalf("%s: %d %s, want 507 %s", tt.name, got.status, got.body, wire.CodeQuotaExceeded)
		}
		if got.header.Get("Retry-After") != "" {
			t.Fatalf("%s: Retry-After on a full hub", tt.name)
		}
	}
	r.checkStore(t, fit)

	// Deleting makes room; concurrent uploads then share it without
	// overshooting: the commit checks again in its transaction.
	subs, _ := r.st.Submissions("h")
	for _, s := range subs[:3] {
		if err := r.st.Delete("h", s.ID); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	results := make(chan int, 12)
	for range 12 {
		wg.Go(func() {
			results <- do(t, "POST", r.api+"/submissions", wire.MediaTypeAge, "", io.MultiReader(bytes.NewReader(small))).status
		})
	}
	wg.Wait()
	close(results)
	counts := map[int]int{}
	for s := range results {
		counts[s]++
	}
	if counts[201] != 3 || counts[507] != 9 {
		t.Fatalf("concurrent uploads into room for 3: %v", counts)
	}
	r.checkStore(t, fit)
}

// slotRig is an admission rig with a single upload slot, and the events
// of its slots.
type slotRig struct {
	*admissionRig
	taken, queued chan struct{}
	valid         []byte
}

func newSlotRig(t *testing.T, queueWait time.Duration) *slotRig {
	taken, queued := make(chan struct{}, 8), make(chan struct{}, 8)
	o := api.WithSlotHooks(api.Options{MaxConcurrentUploads: 1, UploadQueueWait: queueWait},
		func() { taken <- struct{}{} }, func() { queued <- struct{}{} })
	r := newAdmissionRig(t, o, func(*hub.Hub) {})
	return &slotRig{r, taken, queued, r.report(t, 100)}
}

// holdSlot starts an upload that takes the only slot and holds it, half
// sent, until finish is called; finish returns its status.
func (r *slotRig) holdSlot(t *testing.T) (finish func() int) {
	t.Helper()
	pr, pw := io.Pipe()
	status := make(chan int, 1)
	go func() {
		status <- do(t, "POST", r.api+"/submissions", wire.MediaTypeAge, "", pr).status
	}()
	pw.Write(r.valid[:len(r.valid)/2])
	within(t, r.taken, "the first upload taking the slot")
	return func() int {
		pw.Write(r.valid[len(r.valid)/2:])
		pw.Close()
		return <-status
	}
}

func TestUploadSlots(t *testing.T) {
	t.Parallel()
	t.Run("refused after the queue wait", func(t *testing.T) {
		t.Parallel()
		r := newSlotRig(t, 200*time.Millisecond)
		finish := r.holdSlot(t)
		start := time.Now()
		got := unread(t, r.api+"/submissions", -1)
		if got.status != http.StatusServiceUnavailable || got.code() != wire.CodeUnavailable || got.header.Get("Retry-After") != "1" {
			t.Fatalf("second upload: %d %s, Retry-After %q", got.status, got.body, got.header.Get("Retry-After"))
		}
		if waited := time.Since(start); waited < 200*time.Millisecond || waited > 3*time.Second {
			t.Fatalf("refused after %v, want after the queue wait of 200ms", waited)
		}
		within(t, r.queued, "the second upload waiting")
		if s := finish(); s != 201 {
			t.Fatalf("first upload: %d", s)
		}
		r.checkStore(t, 1)
	})
	t.Run("a waiting upload gets the slot as soon as it is free", func(t *testing.T) {
		t.Parallel()
		// The queue wait is long: an upload served only when it ends
		// would miss the 5 s bound of within.
		r := newSlotRig(t, time.Minute)
		finish := r.holdSlot(t)
		second := make(chan response, 1)
		go func() {
			second <- do(t, "POST", r.api+"/submissions", wire.MediaTypeAge, "", bytes.NewReader(r.valid))
		}()
		within(t, r.queued, "the second upload waiting")
		if s := finish(); s != 201 {
			t.Fatalf("first upload: %d", s)
		}
		within(t, r.taken, "the waiting upload taking the freed slot")
		if got := <-second; got.status != 201 {
			t.Fatalf("queued upload: %d %s", got.status, got.body)
		}
		r.checkStore(t, 2)
	})
}

// within waits for an event on c, for at most 5 s.
func within(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not happen within 5 s", what)
	}
}
