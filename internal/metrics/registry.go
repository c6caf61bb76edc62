// Package metrics is a tiny registry of counters and gauges that renders the
// Prometheus text format (version 0.0.4), and the collection of difesad's
// own metrics from the store (see [Collector]).
//
// It exists instead of the Prometheus client library to keep difesa's
// dependencies few, and because the rule every metric obeys is easier to
// keep in a small package: no label ever carries an id, a size finer than a
// power of two, or anything about a defender; and nothing is published
// more precisely in time than the store records it (see [Registry]).
package metrics

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ContentType is the media type of the text format [Registry.WriteTo] writes.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Registry holds metric families and renders them.
//
// # Time precision
//
// A registry renders a snapshot at most once per [Registry.Period] (one
// hour by default, aligned to the clock): the first scrape of each period
// runs the collectors and renders every family, and later scrapes in the
// same period get the same bytes. A scrape every 15 seconds therefore
// learns no more about when a defender submitted, uploaded or was refused
// than the store's hour-rounded times say.
type Registry struct {
	// Now replaces time.Now, for tests.
	Now func() time.Time
	// Period is how long a snapshot is served (default one hour).
	Period time.Duration

	mu         sync.Mutex
	families   []*family
	names      map[string]bool
	collectors []func(at time.Time) error
	taken      time.Time
	snapshot   []byte
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{names: map[string]bool{}}
}

var (
	metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

func (r *Registry) add(typ, name, help string, labels []string) *family {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !metricName.MatchString(name) || r.names[name] {
		panic(fmt.Sprintf("metrics: invalid or duplicate metric name %q", name))
	}
	for _, l := range labels {
		if !labelName.MatchString(l) || strings.HasPrefix(l, "__") {
			panic(fmt.Sprintf("metrics: invalid label name %q of %s", l, name))
		}
	}
	r.names[name] = true
	f := &family{typ: typ, name: name, help: help, labels: labels, values: map[string]*value{}}
	r.families = append(r.families, f)
	return f
}

// Counter registers a counter family with the given label names. Names
// must be valid Prometheus names and unique: a mistake panics at start-up.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	return &CounterVec{r.add("counter", name, help, labels)}
}

// Gauge registers a gauge family with the given label names.
func (r *Registry) Gauge(name, help string, labels ...string) *GaugeVec {
	return &GaugeVec{r.add("gauge", name, help, labels)}
}

// OnSnapshot adds fn to the functions run before each snapshot is
// rendered, typically to set gauges computed from the store. An error
// fails the scrape.
func (r *Registry) OnSnapshot(fn func() error) {
	r.onSnapshotAt(func(time.Time) error { return fn() })
}

// onSnapshotAt is [Registry.OnSnapshot] for a collector that needs the
// instant the snapshot is taken at: the one its period is computed from,
// so that collector and period agree even when the clock passes the hour
// between two readings.
func (r *Registry) onSnapshotAt(fn func(at time.Time) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.collectors = append(r.collectors, fn)
}

// WriteTo writes the current period's snapshot to w, taking it first if
// the period has changed since the last one.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	period := r.Period
	if period <= 0 {
		period = time.Hour
	}
	at := now()
	start := at.UTC().Truncate(period)
	if r.snapshot == nil || !start.Equal(r.taken) {
		if err := r.take(at); err != nil {
			r.mu.Unlock()
			return 0, err
		}
		r.taken = start
	}
	snap := r.snapshot
	r.mu.Unlock()
	n, err := w.Write(snap)
	return int64(n), err
}

// take runs the collectors at instant at and renders every family; r.mu
// is held.
func (r *Registry) take(at time.Time) error {
	for _, fn := range r.collectors {
		if err := fn(at); err != nil {
			return fmt.Errorf("metrics: unable to collect: %w", err)
		}
	}
	var buf bytes.Buffer
	for _, f := range r.families {
		f.render(&buf)
	}
	r.snapshot = buf.Bytes()
	return nil
}

// family is one metric name with its samples, keyed by their label values.
type family struct {
	typ, name, help string
	labels          []string

	mu     sync.Mutex
	values map[string]*value
}

// value is a float64 updated atomically.
type value struct {
	labels []string
	bits   atomic.Uint64
}

func (v *value) load() float64 { return math.Float64frombits(v.bits.Load()) }

func (v *value) add(d float64) {
	for {
		old := v.bits.Load()
		if v.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+d)) {
			return
		}
	}
}

func (f *family) with(values []string) *value {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metrics: %s takes %d label values, got %d", f.name, len(f.labels), len(values)))
	}
	key := strings.Join(values, "\xff")
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.values[key]
	if v == nil {
		v = &value{labels: append([]string(nil), values...)}
		f.values[key] = v
	}
	return v
}

func (f *family) render(buf *bytes.Buffer) {
	fmt.Fprintf(buf, "# HELP %s %s\n# TYPE %s %s\n", f.name, escapeHelp(f.help), f.name, f.typ)
	f.mu.Lock()
	vals := make([]*value, 0, len(f.values))
	for _, v := range f.values {
		vals = append(vals, v)
	}
	f.mu.Unlock()
	sort.Slice(vals, func(i, j int) bool {
		return strings.Join(vals[i].labels, "\xff") < strings.Join(vals[j].labels, "\xff")
	})
	for _, v := range vals {
		buf.WriteString(f.name)
		if len(f.labels) > 0 {
			buf.WriteByte('{')
			for i, l := range f.labels {
				if i > 0 {
					buf.WriteByte(',')
				}
				fmt.Fprintf(buf, "%s=\"%s\"", l, escapeLabel(v.labels[i]))
			}
			buf.WriteByte('}')
		}
		buf.WriteByte(' ')
		buf.WriteString(formatValue(v.load()))
		buf.WriteByte('\n')
	}
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
func escapeLabel(s string) string { return labelEscaper.Replace(s) }

func formatValue(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', -1, 64) // whole numbers in full
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// CounterVec is a counter family; [CounterVec.With] selects one counter.
type CounterVec struct{ f *family }

// With returns the counter with the given label values, in the order of
// the family's label names.
func (c *CounterVec) With(labelValues ...string) *Counter {
	return &Counter{c.f.with(labelValues)}
}

// Counter only goes up.
type Counter struct{ v *value }

// Inc adds one.
func (c *Counter) Inc() { c.v.add(1) }

// Add adds d; a negative d is ignored.
func (c *Counter) Add(d float64) {
	if d > 0 {
		c.v.add(d)
	}
}

// GaugeVec is a gauge family; [GaugeVec.With] selects one gauge.
type GaugeVec struct{ f *family }

// With returns the gauge with the given label values.
func (g *GaugeVec) With(labelValues ...string) *Gauge {
	return &Gauge{g.f.with(labelValues)}
}

// Reset removes every gauge of the family, so that a collector setting
// them all again leaves none stale.
func (g *GaugeVec) Reset() {
	g.f.mu.Lock()
	defer g.f.mu.Unlock()
	clear(g.f.values)
}

// Gauge goes up and down.
type Gauge struct{ v *value }

// Set sets the gauge to x.
func (g *Gauge) Set(x float64) { g.v.bits.Store(math.Float64bits(x)) }

// Add adds d (which may be negative).
func (g *Gauge) Add(d float64) { g.v.add(d) }

// setTotal sets a counter kept elsewhere (the runtime's); x never decreases.
func (c *Counter) setTotal(x float64) { c.v.bits.Store(math.Float64bits(x)) }
