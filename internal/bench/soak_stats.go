package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Soak goals. Open file descriptors may differ by fdSlack between the
// start and the end (a notification connection kept alive, say); the
// server's anonymous memory in the second half of the run may exceed the
// first half's by rssSlack or a quarter, whichever is more.
const (
	fdSlack  = 4
	rssSlack = 16 << 20
)

// expectedCodes are the answers a well-behaved client backs off from: the
// server's documented push-back. Anything else is a failure.
var expectedCodes = map[string]bool{"too_many_requests": true, "unavailable": true}

// SoakOp is what the soak measured of one kind of request.
type SoakOp struct {
	Kind      string         `json:"kind"`
	Requests  int            `json:"requests"`
	PerSecond float64        `json:"per_second"`
	P50ms     float64        `json:"p50_ms"`
	P99ms     float64        `json:"p99_ms"`
	MaxMs     float64        `json:"max_ms"`
	Errors    map[string]int `json:"errors,omitempty"`
	// FirstError is the text of the first unexpected error.
	FirstError string `json:"first_error,omitempty"`
}

// SoakSample is the server as sampled at one moment of the soak.
type SoakSample struct {
	Seconds float64 `json:"seconds"`
	FDs     int     `json:"fds"`
	Threads int     `json:"threads"`
	DB      int64   `json:"db_bytes"`
	Memory
}

// SoakResult is what the soak measured.
type SoakResult struct {
	Seconds     float64  `json:"seconds"`
	Reporters   int      `json:"reporters"`
	BigPlain    int64    `json:"large_plaintext_bytes"`
	Ops         []SoakOp `json:"ops"`
	Unexpected  int      `json:"unexpected_errors"`
	Expected    int      `json:"expected_errors"`
	Verified    int      `json:"downloads_verified"`
	Left        int      `json:"submissions_left_unread"`
	AlertsSent  int      `json:"alerts_sent"`
	AlertsHooks int      `json:"alerts_delivered"`
	// The alarm probe (alarms.go): on the idle server before the load,
	// and under it.
	AlarmsIdle   *AlarmLatency `json:"alarms_idle,omitempty"`
	AlarmsLoaded *AlarmLatency `json:"alarms_under_load,omitempty"`
	// Cases is the case records' load (soak_cases.go); their latencies
	// are the ops "case read" and "case write", and the same with
	// " (baseline)" for the bare compare-and-swap endpoint.
	Cases *CaseLoadResult `json:"cases,omitempty"`
	// Open files and OS threads of the server: at launch, at the start
	// (after one of each request, idle), in the middle (under load), at
	// the end (idle again), and the most seen.
	FDsLaunch    int `json:"fds_launch"`
	FDsStart     int `json:"fds_start"`
	FDsMiddle    int `json:"fds_middle"`
	FDsEnd       int `json:"fds_end"`
	FDsMax       int `json:"fds_max"`
	ThreadsStart int `json:"threads_start"`
	ThreadsEnd   int `json:"threads_end"`
	// The server's resident set at the start and its peak (VmHWM) at the
	// end; its anonymous memory (heap and stacks): the median of each
	// half of the run, which a leak raises, and the most seen, which a
	// burst of requests raises for a while. In bytes.
	RSSStart   int64 `json:"rss_start_bytes"`
	RSSPeak    int64 `json:"rss_peak_bytes"`
	AnonFirst  int64 `json:"anon_first_half_median_bytes"`
	AnonSecond int64 `json:"anon_second_half_median_bytes"`
	AnonMax    int64 `json:"anon_max_bytes"`
	// The database file's size at launch, start and end.
	DBLaunch int64        `json:"db_launch_bytes"`
	DBStart  int64        `json:"db_start_bytes"`
	DBEnd    int64        `json:"db_end_bytes"`
	Samples  []SoakSample `json:"samples"`
	FDsFlat  bool         `json:"fds_flat"`
	RSSFlat  bool         `json:"anon_rss_flat"`
}

// soakRecorder collects latencies and errors by kind of request.
type soakRecorder struct {
	mu    sync.Mutex
	lat   map[string][]time.Duration
	errs  map[string]map[string]int
	first map[string]string
	log   io.Writer
}

func newSoakRecorder(log io.Writer) *soakRecorder {
	return &soakRecorder{lat: map[string][]time.Duration{}, errs: map[string]map[string]int{}, first: map[string]string{}, log: log}
}

// errVerify is a download that did not decrypt to what was sent.
var errVerify = errors.New("bench: a download did not decrypt to what was sent")

// errorCode names err for the error tally: the API's code, or what went
// wrong below it.
func errorCode(err error) string {
	var se *StatusError
	switch {
	case errors.As(err, &se) && se.Code != "":
		return se.Code
	case errors.As(err, &se):
		return "http_" + strconv.Itoa(se.Status)
	case errors.Is(err, errVerify):
		return "verify"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	default:
		return "transport"
	}
}

// time runs fn as one request of kind and records it. It returns fn's
// error and whether it is one the server may legitimately answer.
func (r *soakRecorder) time(kind string, fn func() error) (err error, expected bool) {
	t := time.Now()
	err = fn()
	d := time.Since(t)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		r.lat[kind] = append(r.lat[kind], d)
		return nil, false
	}
	code := errorCode(err)
	if r.errs[kind] == nil {
		r.errs[kind] = map[string]int{}
	}
	r.errs[kind][code]++
	if !expectedCodes[code] && r.first[kind] == "" {
		r.first[kind] = err.Error()
		fmt.Fprintf(r.log, "difesa-bench: soak: %s: %v\n", kind, err)
	}
	return err, expectedCodes[code]
}

// ops summarises what was recorded over elapsed.
func (r *soakRecorder) ops(elapsed time.Duration) (ops []SoakOp, unexpected, expected int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	kinds := map[string]int{}
	for k := range r.lat {
		kinds[k]++
	}
	for k := range r.errs {
		kinds[k]++
	}
	for _, k := range sortedKeys(kinds) {
		lat := r.lat[k]
		slices.Sort(lat)
		op := SoakOp{Kind: k, Requests: len(lat), PerSecond: float64(len(lat)) / elapsed.Seconds(),
			P50ms: ms(percentile(lat, 0.5)), P99ms: ms(percentile(lat, 0.99)), Errors: r.errs[k], FirstError: r.first[k]}
		if len(lat) > 0 {
			op.MaxMs = ms(lat[len(lat)-1])
		}
		for code, n := range r.errs[k] {
			if expectedCodes[code] {
				expected += n
			} else {
				unexpected += n
			}
		}
		ops = append(ops, op)
	}
	return ops, unexpected, expected
}

// CountFDs returns how many file descriptors a process has open.
func CountFDs(pid int) (int, error) {
	ents, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNoProc, err)
	}
	return len(ents), nil
}

// countThreads returns a process's OS threads (Threads: in its status).
func countThreads(pid int) int {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(rest))
			return n
		}
	}
	return 0
}

// sample reads a process's descriptors, threads and memory.
func sample(pid int, since time.Time) (SoakSample, error) {
	fds, err := CountFDs(pid)
	if err != nil {
		return SoakSample{}, err
	}
	m, err := ReadMemory(pid)
	if err != nil {
		return SoakSample{}, err
	}
	return SoakSample{Seconds: time.Since(since).Seconds(), FDs: fds, Threads: countThreads(pid), Memory: m}, nil
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// judgeSamples fills the middle, maximum and per-half figures from the
// samples taken under load over d.
func (s *SoakResult) judgeSamples(d time.Duration) {
	half := d.Seconds() / 2
	best := -1.0
	var first, second []int64
	for _, x := range s.Samples {
		s.FDsMax = max(s.FDsMax, x.FDs)
		s.AnonMax = max(s.AnonMax, x.Anon)
		if dist := abs(x.Seconds - half); best < 0 || dist < best {
			best, s.FDsMiddle = dist, x.FDs
		}
		if x.Seconds < half {
			first = append(first, x.Anon)
		} else {
			second = append(second, x.Anon)
		}
	}
	s.AnonFirst, s.AnonSecond = median(first), median(second)
	s.FDsFlat = s.FDsEnd <= s.FDsStart+fdSlack
	s.RSSFlat = s.AnonSecond <= s.AnonFirst+max(rssSlack, s.AnonFirst/4)
}

func median(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// verdicts are the soak's one-line conclusions.
func (s *SoakResult) verdicts() []string {
	flat := func(ok bool) string {
		if ok {
			return "flat"
		}
		return "GREW"
	}
	errs := "none unexpected"
	if s.Unexpected > 0 {
		errs = fmt.Sprintf("%d UNEXPECTED", s.Unexpected)
	}
	return []string{
		fmt.Sprintf("fds start %d, end %d: %s (slack %d; %d in the middle, under load)", s.FDsStart, s.FDsEnd, flat(s.FDsFlat), fdSlack, s.FDsMiddle),
		fmt.Sprintf("anonymous memory: median %s in the first half, %s in the second: %s (most seen %s)", mib(s.AnonFirst), mib(s.AnonSecond), flat(s.RSSFlat), mib(s.AnonMax)),
		fmt.Sprintf("errors: %s (%d expected push-backs)", errs, s.Expected),
	}
}

func (s *SoakResult) print(w io.Writer) {
	fmt.Fprintf(w, "\nSoak: %.0f s of mixed load on one difesad, %d reporters, %s large uploads\n\n", s.Seconds, s.Reporters, mib(s.BigPlain))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "request\tcount\tper second\tp50 ms\tp99 ms\tmax ms\terrors\t")
	for _, op := range s.Ops {
		var errs []string
		for _, code := range sortedKeys(op.Errors) {
			errs = append(errs, fmt.Sprintf("%s×%d", code, op.Errors[code]))
		}
		e := strings.Join(errs, " ")
		if e == "" {
			e = "-"
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.2f\t%.2f\t%.1f\t%s\t\n", op.Kind, op.Requests, op.PerSecond, op.P50ms, op.P99ms, op.MaxMs, e)
	}
	tw.Flush()
	for _, op := range s.Ops {
		if op.FirstError != "" {
			fmt.Fprintf(w, "first error of %s: %s\n", op.Kind, op.FirstError)
		}
	}
	fmt.Fprintf(w, "\n  downloads decrypted and checked: %d; submissions left unread at the end: %d\n", s.Verified, s.Left)
	fmt.Fprintf(w, "  urgent alerts: %d sent, %d webhooks received\n", s.AlertsSent, s.AlertsHooks)
	s.printCases(w)
	printAlarms(w, "idle", s.AlarmsIdle)
	printAlarms(w, "soak", s.AlarmsLoaded)
	fmt.Fprintf(w, "  server fds:     launch %d, start %d, middle %d, end %d, most %d\n", s.FDsLaunch, s.FDsStart, s.FDsMiddle, s.FDsEnd, s.FDsMax)
	fmt.Fprintf(w, "  server threads: start %d, end %d\n", s.ThreadsStart, s.ThreadsEnd)
	fmt.Fprintf(w, "  server RSS:     start %s, peak (VmHWM) %s\n", mib(s.RSSStart), mib(s.RSSPeak))
	fmt.Fprintf(w, "  database file:  launch %s, start %s, end %s\n", mib(s.DBLaunch), mib(s.DBStart), mib(s.DBEnd))
	if len(s.Samples) > 0 {
		fmt.Fprintln(w, "\n  over time (under load):")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "  seconds\tfds\tthreads\tRSS MiB\tanon MiB\tfile MiB\tdb MiB\t")
		const rows = 10
		for i := range rows {
			x := s.Samples[i*(len(s.Samples)-1)/(rows-1)]
			fmt.Fprintf(tw, "  %.0f\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t\n", x.Seconds, x.FDs, x.Threads,
				float64(x.RSS)/(1<<20), float64(x.Anon)/(1<<20), float64(x.File)/(1<<20), float64(x.DB)/(1<<20))
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	for _, v := range s.verdicts() {
		fmt.Fprintf(w, "  %s\n", v)
	}
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
