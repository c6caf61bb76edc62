package metrics

import (
	"net/http"
	"regexp"
	"runtime"
	"sync"
	"time"

	"difesa.org/difesa/internal/store"
)

// Collector is difesad's set of metrics. Most are computed from the store
// when a snapshot is taken; the rest (refusals, uploads in flight) are
// counted by the server as they happen and published with the next
// snapshot. docs/operations.md lists them with what each reveals.
type Collector struct {
	// Registry renders the metrics; see [Registry] for their precision in
	// time.
	Registry *Registry

	store *store.Store
	hubs  func() []string

	rejections *CounterVec

	uploadsMu                sync.Mutex
	uploads, uploadsPeak     int
	uploadsPeakG             *GaugeVec
	submissions, storedBytes *GaugeVec
	outbox, checkins         *GaugeVec
	dbSize, dbFree, dbPage   *GaugeVec
	goroutines, heap, sysMem *GaugeVec
	gcCycles                 *CounterVec
}

// Options configures [New].
type Options struct {
	Store *store.Store
	// Hubs returns the ids of the hubs served.
	Hubs func() []string
	// Now replaces time.Now, for tests.
	Now func() time.Time
}

// New registers difesad's metrics.
func New(o Options) *Collector {
	r := NewRegistry()
	r.Now = o.Now
	c := &Collector{Registry: r, store: o.Store, hubs: o.Hubs}
	c.submissions = r.Gauge("difesa_submissions", "Submissions stored, by hub and kind.", "hub", "kind")
	c.storedBytes = r.Gauge("difesa_stored_bytes", "Ciphertext stored, by hub, rounded down to a whole MiB.", "hub")
	c.rejections = r.Counter("difesa_rejections_total", "Requests refused, by API error code.", "code")
	c.uploadsPeakG = r.Gauge("difesa_uploads_in_flight_peak", "Most uploads in flight at once since the previous snapshot.")
	c.outbox = r.Gauge("difesa_outbox_events", "Notification events created before the current hour and still undelivered, by hub and state (pending or failed).", "hub", "state")
	c.checkins = r.Gauge("difesa_checkins", "Check-in timers, by hub and state (armed or missed).", "hub", "state")
	c.dbSize = r.Gauge("difesa_database_size_bytes", "Size of the database file.")
	c.dbFree = r.Gauge("difesa_database_free_pages", "Free pages in the database file (reclaimed by difesad compact).")
	c.dbPage = r.Gauge("difesa_database_page_size_bytes", "Page size of the database file.")
	c.goroutines = r.Gauge("go_goroutines", "Goroutines that currently exist.")
	c.heap = r.Gauge("go_memstats_heap_alloc_bytes", "Bytes of allocated heap objects.")
	c.sysMem = r.Gauge("go_memstats_sys_bytes", "Bytes of memory obtained from the operating system.")
	c.gcCycles = r.Counter("go_gc_cycles_total", "Completed garbage collection cycles.")
	c.rejections.With(codeOther) // present from the start, so rate() works
	r.onSnapshotAt(c.collect)
	return c
}

// Handler serves the metrics (GET only). It belongs on the admin
// listener, never on the public one.
func (c *Collector) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", ContentType)
		w.Header().Set("Cache-Control", "no-store")
		if r.Method == http.MethodHead {
			return
		}
		if _, err := c.Registry.WriteTo(w); err != nil {
			http.Error(w, "unable to collect metrics", http.StatusInternalServerError)
		}
	})
}

var errorCode = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)

const codeOther = "other"

// Rejected counts a refused request by its API error code (a fixed,
// documented set: see docs/api.md). Anything that does not look like one
// is counted as "other", so no request data can become a label.
func (c *Collector) Rejected(code string) {
	if !errorCode.MatchString(code) {
		code = codeOther
	}
	c.rejections.With(code).Inc()
}

// UploadStarted counts an upload in flight until the returned function is
// called.
func (c *Collector) UploadStarted() (done func()) {
	c.uploadsMu.Lock()
	c.uploads++
	c.uploadsPeak = max(c.uploadsPeak, c.uploads)
	c.uploadsMu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			c.uploadsMu.Lock()
			c.uploads--
			c.uploadsMu.Unlock()
		})
	}
}

// collect sets every gauge from the store and the runtime, for the
// snapshot taken at instant at.
func (c *Collector) collect(at time.Time) error {
	c.uploadsMu.Lock()
	c.uploadsPeakG.With().Set(float64(c.uploadsPeak))
	c.uploadsPeak = c.uploads
	c.uploadsMu.Unlock()

	c.submissions.Reset()
	c.storedBytes.Reset()
	c.outbox.Reset()
	c.checkins.Reset()
	for _, hub := range c.hubs() {
		kinds, bytes, err := c.store.SubmissionTotals(hub)
		if err != nil {
			return err
		}
		for kind, n := range kinds {
			c.submissions.With(hub, kind).Add(float64(n))
		}
		c.storedBytes.With(hub).Set(float64(bytes &^ (1<<20 - 1)))
		timers, err := c.store.Checkins(hub)
		if err != nil {
			return err
		}
		c.checkins.With(hub, store.CheckinArmed).Set(0)
		c.checkins.With(hub, store.CheckinMissed).Set(0)
		for _, t := range timers {
			c.checkins.With(hub, t.State).Add(1)
		}
		c.outbox.With(hub, store.DeliveryPending).Set(0)
		c.outbox.With(hub, store.DeliveryFailed).Set(0)
	}
	evs, err := c.store.Events()
	if err != nil {
		return err
	}
	thisHour := at.UTC().Truncate(time.Hour)
	for _, ev := range evs {
		// Events of the current hour are left for the next snapshot: an
		// urgent event with nothing else to show for it (a duress
		// check-in) must not appear the moment it is raised.
		if !ev.Created.Before(thisHour) {
			continue
		}
		c.outbox.With(ev.Hub, eventState(ev)).Add(1)
	}

	st, err := c.store.Stats()
	if err != nil {
		return err
	}
	c.dbSize.With().Set(float64(st.FileSize))
	c.dbFree.With().Set(float64(st.FreePages))
	c.dbPage.With().Set(float64(st.PageSize))

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	c.goroutines.With().Set(float64(runtime.NumGoroutine()))
	c.heap.With().Set(float64(ms.HeapAlloc))
	c.sysMem.With().Set(float64(ms.Sys))
	c.gcCycles.With().setTotal(float64(ms.NumGC))
	return nil
}

// eventState is failed if a channel gave up on ev, pending otherwise
// (delivered events leave the outbox).
func eventState(ev *store.Event) string {
	for _, d := range ev.Deliveries {
		if d.State == store.DeliveryFailed {
			return store.DeliveryFailed
		}
	}
	return store.DeliveryPending
}
