package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/tool"
)

// TestMain lets the test binary serve, as difesa-bench does, when [Main]
// re-executes it.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && (os.Args[1] == "-serve" || os.Args[1] == "-serve-baseline") {
		os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	ds := func(ms ...int) []time.Duration {
		var out []time.Duration
		for _, m := range ms {
			out = append(out, time.Duration(m)*time.Millisecond)
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		q      float64
		want   time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one", ds(7), 0.99, 7 * time.Millisecond},
		{"median of four", ds(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{"p50 of 100", ds(hundred...), 0.5, 50 * time.Millisecond},
		{"p99 of 100", ds(hundred...), 0.99, 99 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.q); got != tt.want {
				t.Errorf("percentile(%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestReadMemory(t *testing.T) {
	t.Parallel()
	m, err := ReadMemory(os.Getpid())
	if err != nil {
		tool.Missing(t, "reading this process's memory figures: "+err.Error())
		return
	}
	if m.RSS <= 0 || m.Peak < m.RSS || m.Anon+m.File > m.RSS+(1<<20) {
		t.Errorf("implausible memory figures %+v", m)
	}
}

// TestMainEndToEnd runs the whole harness, small.
func TestMainEndToEnd(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results.json")
	var stdout, stderr bytes.Buffer
	args := []string{"-duration", "300ms", "-concurrency", "4", "-max", "100", "-big-size", "3MiB", "-dir", t.TempDir(), "-o", out}
	if code := Main(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	for _, want := range []string{"baseline (net/http + bbolt)", "ratio difesa/baseline", "decrypted SHA-256 matches", "Goals"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &stdout)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res Results
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res.Difesa == nil || res.Difesa.Requests == 0 || res.Difesa.Errors != 0 || res.Baseline == nil || res.Baseline.Requests == 0 {
		t.Errorf("small runs: difesa %+v, baseline %+v", res.Difesa, res.Baseline)
	}
	if res.Big == nil || !res.Big.Verified || res.Big.Ciphertext <= 3<<20 {
		t.Errorf("large run: %+v", res.Big)
	}
}

// BenchmarkSubmitSmall measures durable submissions of a short report (a
// 2 KiB plaintext) to an in-process server from 32 goroutines per CPU.
func BenchmarkSubmitSmall(b *testing.B) {
	cfg := config.Default()
	cfg.PoWMaxBits = 0 // throughput is measured, not pushed back on
	srv := testserver.NewWithConfig(b, cfg)
	hc, err := NewHubClient(srv.HubURL, 64)
	if err != nil {
		b.Fatal(err)
	}
	recips, err := hc.Recipients(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	pool, err := EncryptPool(64, 2048, recips)
	if err != nil {
		b.Fatal(err)
	}
	benchmarkSubmit(b, pool, func(ctx context.Context, body []byte) error {
		_, err := hc.Submit(ctx, bytes.NewReader(body), int64(len(body)))
		return err
	})
}

// BenchmarkBaselineSmall is BenchmarkSubmitSmall against the bare baseline:
// net/http and one fsync'd bbolt write per request.
func BenchmarkBaselineSmall(b *testing.B) {
	db, err := openBaselineDB(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(baselineHandler(db))
	defer srv.Close()
	pool := make([][]byte, 64)
	for i := range pool {
		pool[i] = bytes.Repeat([]byte{byte(i)}, 3707)
	}
	rt := NewTransport(64)
	benchmarkSubmit(b, pool, func(ctx context.Context, body []byte) error {
		return postBody(ctx, rt, srv.URL+"/submit", body)
	})
}

func benchmarkSubmit(b *testing.B, pool [][]byte, send func(context.Context, []byte) error) {
	b.SetParallelism(32)
	b.SetBytes(int64(len(pool[0])))
	var n atomic.Int64
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := int(n.Add(1)); pb.Next(); i++ {
			if err := send(context.Background(), pool[i%len(pool)]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "submissions/s")
}

// TestSoak runs the soak alone for a few seconds, so that it keeps
// working; the real run is minutes long (difesa-bench -only soak).
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("bench: the soak runs for several seconds; skipped with -short")
	}
	out := filepath.Join(t.TempDir(), "results.json")
	var stdout, stderr bytes.Buffer
	args := []string{"-only", "soak", "-soak", "5s", "-alarms=false", "-concurrency", "4", "-dir", t.TempDir(), "-o", out}
	if code := Main(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	for _, want := range []string{"fds start", ": flat", "errors: none unexpected", "PASS  soak: the server's open files do not grow"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &stdout)
		}
	}
	if strings.Contains(stdout.String(), "baseline (net/http + bbolt)") {
		t.Errorf("-only soak ran the small submissions too:\n%s", &stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res Results
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	s := res.Soak
	if s == nil {
		t.Fatalf("no soak in the results:\n%s", b)
	}
	done := map[string]int{}
	for _, op := range s.Ops {
		done[op.Kind] = op.Requests
	}
	for _, kind := range []string{"report", "large", "alert", "login", "list", "download", "delete", "checkin", "followup", "thread", "reply",
		"case read", "case write", "case read (baseline)", "case write (baseline)"} {
		if done[kind] == 0 {
			t.Errorf("no successful %s request: %v", kind, done)
		}
	}
	if c := s.Cases; c == nil || c.Records != soakCases || c.Verified == 0 || c.RecordBytes == 0 {
		t.Errorf("soak: case records %+v", c)
	}
	if !strings.Contains(stdout.String(), "case write p50 / p99: difesa ") {
		t.Errorf("output lacks the case records' latencies:\n%s", &stdout)
	}
	if s.Unexpected != 0 || !s.FDsFlat || s.FDsStart == 0 || s.Verified == 0 || s.DBEnd == 0 || len(s.Samples) == 0 {
		t.Errorf("soak: unexpected %d, fds %d → %d, verified %d, db %d bytes, %d samples",
			s.Unexpected, s.FDsStart, s.FDsEnd, s.Verified, s.DBEnd, len(s.Samples))
	}
}
