package desk

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/wire"
)

// The benchmark's hub: 10,000 reports, one in ten with an attachment,
// spread over four months; one in a hundred names benchRare, none names
// benchNone.
const (
	benchCases    = 10_000
	benchAttSize  = 64 << 10
	benchRare     = "tamarind"
	benchNone     = "zanzibar"
	benchRequests = 200 // per measure, after benchWarmup
	benchWarmup   = 10
	// benchBudget bounds each measure's wall time, whatever b.N.
	benchBudget = 2 * time.Minute
)

var benchWords = strings.Fields(`police raid office journalist detained court lawyer
threat message phone seized border travel banned family visit night street
protest camera video witness hospital release bail judge hearing appeal`)

// benchReceived is the moment report i reached the hub: four months.
func benchReceived(i int) time.Time { return testDay.AddDate(0, -(i % 4), 0) }

// fillHub stores n real report bundles on the demo hub, encrypted to its
// recipients, straight into its store (as the casebook's benchmark does:
// submitting 10,000 through the API would only measure the hub).
func fillHub(b *testing.B, srv *testserver.Server, id *age.HybridIdentity, n int) {
	b.Helper()
	h := srv.Instance.Hubs.Get(daemon.DemoHubID)
	cts := make([][]byte, n)
	var wg sync.WaitGroup
	next := make(chan int)
	var fail sync.Once
	var ferr error
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				words := make([]string, 12)
				for j := range words {
					words[j] = benchWords[(i*7+j*13)%len(benchWords)]
				}
				if i%100 == 0 {
					words[5] = benchRare
				}
				rep := &bundle.Report{Category: "other", Narrative: fmt.Sprintf("report %d: %s", i, strings.Join(words, " ")), Where: "town " + fmt.Sprint(i%50)}
				var atts []bundle.Attachment
				if i%10 == 0 {
					data := bytes.Repeat([]byte{byte(i)}, benchAttSize)
					atts = []bundle.Attachment{{Name: "notes.bin", Size: benchAttSize, Body: bytes.NewReader(data)}}
				}
				var buf bytes.Buffer
				w, err := age.Encrypt(&buf, id.Recipient())
				if err == nil {
					_, err = bundle.Write(w, bundle.NewEnvelope(bundle.KindReport, "en", benchReceived(i)), rep, atts)
				}
				if err == nil {
					err = w.Close()
				}
				if err != nil {
					fail.Do(func() { ferr = err })
				}
				cts[i] = buf.Bytes()
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if ferr != nil {
		b.Fatal(ferr)
	}
	for off := 0; off < n; off += 2000 {
		k := min(2000, n-off)
		subs := make([]store.Submission, k)
		for i := range subs {
			subs[i] = store.Submission{Kind: "report", Received: benchReceived(off + i).Truncate(time.Hour), Status: "new",
				Recipients: h.Current().Fingerprint(), Epoch: h.Epoch()}
		}
		if _, err := srv.Instance.Store.AddBatch(h.ID, subs, cts[off:off+k]); err != nil {
			b.Fatal(err)
		}
	}
}

// benchDesk starts a desk over a casebook that follows srv, served until
// the benchmark ends, and waits (at most five minutes) until it holds n
// cases.
func benchDesk(b *testing.B, srv *testserver.Server, id *age.HybridIdentity, clock *instants.Clock, n int) *testDesk {
	b.Helper()
	bk, err := casebook.Open(casebook.Options{
		Dir: filepath.Join(b.TempDir(), "desk"), Identities: []age.Identity{id}, Recipient: id.Recipient(),
		Now: clock.Now, SyncEvery: time.Hour,
		Hubs: []casebook.HubConfig{{URL: srv.HubURL, Pins: client.NewPinStore(b.TempDir())}},
	})
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Options{Book: bk, Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served, ran := make(chan struct{}), make(chan struct{})
	go func() { defer close(served); s.Serve(ctx) }()
	go func() { defer close(ran); bk.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		<-served
		<-ran
		bk.Close()
	})
	waitCases(b, bk, n)
	return &testDesk{Server: s, book: bk}
}

// benchSession is a browser's session with a desk: it exchanged the
// one-time secret for the cookie as the browser does, and keeps it.
type benchSession struct {
	hc     *http.Client
	cookie *http.Cookie
	origin string
}

// openDesk opens the desk of address (with its one-time secret).
func openDesk(b *testing.B, address string) *benchSession {
	b.Helper()
	hc := &http.Client{Timeout: 30 * time.Second, Transport: http.DefaultTransport.(*http.Transport).Clone(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	b.Cleanup(hc.CloseIdleConnections)
	resp, err := hc.Get(address)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie && resp.StatusCode == http.StatusOK {
			return &benchSession{hc: hc, cookie: c, origin: resp.Request.URL.Scheme + "://" + resp.Request.URL.Host}
		}
	}
	b.Fatalf("opening the desk: %s, no session cookie", resp.Status)
	return nil
}

func (s *benchSession) get(path string) *http.Request {
	req, _ := http.NewRequest("GET", s.origin+path, nil)
	req.AddCookie(s.cookie)
	return req
}

// csrf returns the session's CSRF token, from its search page.
func (s *benchSession) csrf(b *testing.B) string {
	b.Helper()
	status, body, err := fetch(s.hc, s.get("/search"))
	m := csrfRE.FindSubmatch(body)
	if err != nil || status != http.StatusOK || m == nil {
		b.Fatalf("the search page: %d %v, CSRF token found: %v", status, err, m != nil)
	}
	return string(m[1])
}

// post sends a form as the desk's own page does and returns where the
// desk sends the browser.
func (s *benchSession) post(b *testing.B, path, form string) string {
	b.Helper()
	req, _ := http.NewRequest("POST", s.origin+path, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.origin)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(s.cookie)
	resp, err := s.hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(loc, "/problem") {
		b.Fatalf("POST %s: %s to %q", path, resp.Status, loc)
	}
	return loc
}

// search posts the search form as the desk's page does and returns the
// address of the results, where the desk sends the browser.
func (s *benchSession) search(b *testing.B, words string) string {
	b.Helper()
	loc := s.post(b, "/search", "csrf="+s.csrf(b)+"&q="+words)
	if !strings.HasPrefix(loc, "/search?r=") {
		b.Fatalf("search: sent to %q", loc)
	}
	return loc
}

// fetch sends one request and reads its whole answer, as the browser
// must before it shows the page.
func fetch(hc *http.Client, req *http.Request) (int, []byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// measured is one measure's latencies and the size of its page.
type measured struct {
	p50, p99 time.Duration
	bytes    int
}

// measure sends benchWarmup then benchRequests requests made by mk (each
// wanting status want), within benchBudget, and returns their p50 and
// p99 and the last page's size.
func measure(b *testing.B, hc *http.Client, want int, mk func(i int) *http.Request) measured {
	b.Helper()
	var ds []time.Duration
	var m measured
	stop := time.Now().Add(benchBudget)
	for i := range benchWarmup + benchRequests {
		req := mk(i)
		t0 := time.Now()
		status, body, err := fetch(hc, req)
		d := time.Since(t0)
		if err != nil || status != want {
			b.Fatalf("%s %s: %d %v: %.300s", req.Method, req.URL, status, err, body)
		}
		if i >= benchWarmup {
			ds = append(ds, d)
		}
		m.bytes = len(body)
		if time.Now().After(stop) {
			b.Fatalf("%s: %d requests took over %v", req.URL.Path, i+1, benchBudget)
		}
	}
	slices.Sort(ds)
	m.p50, m.p99 = ds[len(ds)/2], ds[len(ds)*99/100]
	return m
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// report reports a measure of the desk and the same requests' baseline.
func report(b *testing.B, desk, base measured) {
	b.ReportMetric(msOf(desk.p50), "p50-ms")
	b.ReportMetric(msOf(desk.p99), "p99-ms")
	b.ReportMetric(float64(desk.bytes), "page-B")
	b.ReportMetric(msOf(base.p50), "base-p50-ms")
	b.ReportMetric(msOf(base.p99), "base-p99-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkDesk measures what a responder waits for, through the desk's
// real HTTP server with a logged-in client, at 10,000 cases (1,000 with
// a 64 KiB attachment) synced from a real hub on loopback: the inbox's
// first page with and without filters, a case, a search for a word in 1 %
// of the cases and for a word in none; each p50/p99 over 200 requests,
// with the page's size, against a bare net/http server that returns a
// fixed page of the same size (the baseline); and the process's memory.
// Run it with
//
//	go test ./internal/desk -run '^$' -bench Desk -benchtime 1x
func BenchmarkDesk(b *testing.B) {
	clock := instants.NewClock(testDay)
	srv := testserver.NewWithOptions(b, config.Default(), testserver.Options{Now: clock.Now})
	id := testserver.LoadIdentity(b, srv.IdentityFile)
	fillHub(b, srv, id, benchCases)
	before := processMemory()
	d := benchDesk(b, srv, id, clock, benchCases)
	loaded := processMemory()
	ses := openDesk(b, d.Address())

	first, err := d.book.Inbox(casebook.Filter{Limit: 250})
	if err != nil {
		b.Fatal(err)
	}
	later, err := d.book.Inbox(casebook.Filter{Offset: 250, Limit: 250})
	if err != nil {
		b.Fatal(err)
	}
	month := benchReceived(1).Format("2006-01")
	measures := []struct {
		name string
		path func(i int) string
	}{
		{"Inbox", func(int) string { return "/" }},
		{"InboxKind", func(int) string { return "/?kind=report" }},
		{"InboxStatus", func(int) string { return "/?status=new" }},
		{"InboxMonth", func(int) string { return "/?month=" + month }},
		{"InboxAllFilters", func(int) string { return "/?kind=report&status=new&month=" + month }},
		{"InboxLastPage", func(int) string { return fmt.Sprintf("/?offset=%d", benchCases-50) }},
		{"SearchRare", func() func(int) string { p := ses.search(b, benchRare); return func(int) string { return p } }()},
		{"SearchNone", func() func(int) string { p := ses.search(b, benchNone); return func(int) string { return p } }()},
		// Last: opening a case marks it read, which changes the inbox.
		{"Case", func(i int) string { it := first.Items[i%len(first.Items)]; return caseURL(it.Hub, it.ID) }},
	}
	// The inbox each time a responder comes back to it from a case they
	// had not read: opening it (not timed) changed the inbox.
	afterCase := func(i int) *http.Request {
		it := later.Items[i%len(later.Items)]
		if status, _, err := fetch(ses.hc, ses.get(caseURL(it.Hub, it.ID))); err != nil || status != http.StatusOK {
			b.Fatalf("a case: %d %v", status, err)
		}
		return ses.get("/")
	}
	for _, m := range measures {
		b.Run(m.name, func(b *testing.B) {
			var dm, bm measured
			for range b.N {
				dm = measure(b, ses.hc, http.StatusOK, func(i int) *http.Request { return ses.get(m.path(i)) })
				bm = baseline(b, dm.bytes)
			}
			report(b, dm, bm)
		})
	}
	b.Run("InboxAfterCase", func(b *testing.B) {
		var dm, bm measured
		for range b.N {
			dm = measure(b, ses.hc, http.StatusOK, afterCase)
			bm = baseline(b, dm.bytes)
		}
		report(b, dm, bm)
	})
	b.Run("InboxAfterStatus", func(b *testing.B) {
		// The inbox after a change of a case's status, posted (not timed)
		// as the case's page does.
		csrf := ses.csrf(b)
		var dm, bm measured
		for range b.N {
			dm = measure(b, ses.hc, http.StatusOK, func(i int) *http.Request {
				it := later.Items[i%len(later.Items)]
				ses.post(b, caseURL(it.Hub, it.ID)+"/status", "csrf="+csrf+"&status="+wire.StatusInProgress)
				return ses.get("/")
			})
			bm = baseline(b, dm.bytes)
		}
		report(b, dm, bm)
	})
	b.Run("Memory", func(b *testing.B) {
		// In this process, with the hub: the heap's growth is the desk's.
		for range b.N {
			runtime.GC()
		}
		after := processMemory()
		b.ReportMetric(before.heapMiB, "heap-before-desk-MiB")
		b.ReportMetric(loaded.heapMiB, "heap-loaded-MiB")
		b.ReportMetric(after.heapMiB, "heap-after-requests-MiB")
		b.ReportMetric(0, "ns/op")
	})
	b.Run("DeskProcess", func(b *testing.B) {
		var paths []string
		for _, m := range measures[:6] { // the inbox pages
			paths = append(paths, m.path(0))
		}
		benchDeskProcess(b, srv, benchCases, paths)
	})
}

// baseline measures the same number of GETs of a bare net/http server on
// loopback that returns a fixed page of size bytes.
func baseline(b *testing.B, size int) measured {
	b.Helper()
	page := bytes.Repeat([]byte("x"), size)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	defer ts.Close()
	hc := &http.Client{Timeout: 30 * time.Second, Transport: http.DefaultTransport.(*http.Transport).Clone()}
	defer hc.CloseIdleConnections()
	return measure(b, hc, http.StatusOK, func(int) *http.Request {
		req, _ := http.NewRequest("GET", ts.URL+"/", nil)
		return req
	})
}
