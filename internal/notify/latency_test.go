package notify

import (
	"context"
	"slices"
	"testing"
	"time"

	"difesa.org/difesa/internal/wire"
)

// urgentLatencies commits n urgent events one after the other, as the API
// does (commit, then Kick), and measures how long each takes from the
// commit to a webhook receiver on loopback.
func urgentLatencies(t testing.TB, n int) []time.Duration {
	secret := newSecret(t)
	r := newReceiver(t, secret)
	s := newTestStore(t, nil)
	w := newTestWorker(t, s, nil, webhookChannel("hook", r.URL, secret))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	out := make([]time.Duration, 0, n)
	for range n {
		submit(t, s, testHub, wire.EventAlertReceived, true)
		start := time.Now() // committed
		w.Kick()
		select {
		case <-r.arrived:
		case <-time.After(10 * time.Second):
			t.Fatal("an urgent notification did not arrive")
		}
		out = append(out, time.Since(start))
	}
	slices.Sort(out)
	return out
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	return sorted[int(float64(len(sorted)-1)*p)]
}

// TestUrgentLatency holds the promise that an urgent event leaves within a
// second of its commit.
func TestUrgentLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	lat := urgentLatencies(t, 200)
	p50, p99 := percentile(lat, 0.5), percentile(lat, 0.99)
	t.Logf("commit → webhook on loopback over %d urgent events: p50 %v, p99 %v, max %v", len(lat), p50, p99, lat[len(lat)-1])
	if p99 > time.Second {
		t.Errorf("p99 %v is over 1s", p99)
	}
}

// BenchmarkUrgentLatency reports p50 and p99 from the moment the
// submission's transaction has committed to the webhook's arrival, over
// 200 events per round.
func BenchmarkUrgentLatency(b *testing.B) {
	var all []time.Duration
	for b.Loop() {
		all = append(all, urgentLatencies(b, 200)...)
	}
	slices.Sort(all)
	b.ReportMetric(float64(percentile(all, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(all, 0.99).Microseconds())/1000, "p99-ms")
}
