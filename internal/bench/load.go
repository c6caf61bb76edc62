package bench

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// LoadOptions bound a load run: it stops after Duration or MaxRequests
// requests, whichever comes first.
type LoadOptions struct {
	Concurrency int
	Duration    time.Duration
	MaxRequests int
	// RequestTimeout bounds each request.
	RequestTimeout time.Duration
}

// LoadResult is what a load run measured. Latencies are in milliseconds.
type LoadResult struct {
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	FirstError string  `json:"first_error,omitempty"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"per_second"`
	P50ms      float64 `json:"p50_ms"`
	P99ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
}

// RunLoad calls send from Concurrency goroutines, each going round the
// bodies from its own starting point, and measures the successful calls.
func RunLoad(ctx context.Context, send func(ctx context.Context, body []byte) error, bodies [][]byte, o LoadOptions) LoadResult {
	if o.RequestTimeout == 0 {
		o.RequestTimeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var (
		issued    atomic.Int64
		mu        sync.Mutex
		latencies []time.Duration
		errs      int
		firstErr  error
		wg        sync.WaitGroup
	)
	start := time.Now()
	for w := range o.Concurrency {
		wg.Go(func() {
			var mine []time.Duration
			var myErrs int
			var myFirst error
			for i := w; ctx.Err() == nil && issued.Add(1) <= int64(o.MaxRequests); i++ {
				rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), o.RequestTimeout)
				t := time.Now()
				err := send(rctx, bodies[i%len(bodies)])
				d := time.Since(t)
				rcancel()
				if err != nil {
					myErrs++
					if myFirst == nil {
						myFirst = err
					}
					continue
				}
				mine = append(mine, d)
			}
			mu.Lock()
			defer mu.Unlock()
			latencies = append(latencies, mine...)
			errs += myErrs
			if firstErr == nil {
				firstErr = myFirst
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	r := LoadResult{Requests: len(latencies), Errors: errs, Seconds: elapsed.Seconds()}
	if firstErr != nil {
		r.FirstError = firstErr.Error()
	}
	r.PerSecond = float64(r.Requests) / elapsed.Seconds()
	slices.Sort(latencies)
	r.P50ms = ms(percentile(latencies, 0.50))
	r.P99ms = ms(percentile(latencies, 0.99))
	if len(latencies) > 0 {
		r.MaxMs = ms(latencies[len(latencies)-1])
	}
	return r
}

// percentile returns the q-quantile (nearest rank) of sorted durations.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// compare warms both senders up, runs the load against the first, then
// the second, and returns both results and the second's rate over the
// first's (0 if the first got nothing through).
func (r *runner) compare(ctx context.Context, pool [][]byte, lo LoadOptions,
	nameA string, a func(context.Context, []byte) error,
	nameB string, b func(context.Context, []byte) error) (LoadResult, LoadResult, float64) {
	warm := LoadOptions{Concurrency: lo.Concurrency, Duration: time.Second, MaxRequests: 4 * lo.Concurrency}
	RunLoad(ctx, a, pool, warm)
	RunLoad(ctx, b, pool, warm)
	fmt.Fprintln(r.log, "difesa-bench: "+nameA)
	ra := RunLoad(ctx, a, pool, lo)
	fmt.Fprintln(r.log, "difesa-bench: "+nameB)
	rb := RunLoad(ctx, b, pool, lo)
	var ratio float64
	if ra.PerSecond > 0 {
		ratio = rb.PerSecond / ra.PerSecond
	}
	return ra, rb, ratio
}
