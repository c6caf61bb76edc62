package api_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"difesa.org/difesa/internal/wire"
)

// BenchmarkCaseRecordWriteRead writes and reads back a 16 KiB case
// record against a real server on loopback and bbolt on disk, and reports
// the p50 and p99 of each (bounded: run with -benchtime=Nx).
func BenchmarkCaseRecordWriteRead(b *testing.B) {
	h := newCaseHub(b)
	body := encrypt(b, bytes.Repeat([]byte("n"), 16<<10), false, h.id.Recipient())
	writes := make([]time.Duration, 0, b.N)
	reads := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		r := putRecord(b, h.caseURL, h.token, wire.FormatVersion(uint64(i)), wire.MediaTypeAge, body)
		writes = append(writes, time.Since(start))
		if r.status != 200 {
			b.Fatalf("write %d: %d %s", i, r.status, r.body)
		}
		start = time.Now()
		if r := do(b, "GET", h.caseURL, "", h.token, nil); r.status != 200 || len(r.body) != len(body) {
			b.Fatalf("read %d: %d", i, r.status)
		}
		reads = append(reads, time.Since(start))
	}
	b.StopTimer()
	for _, m := range []struct {
		name string
		d    []time.Duration
	}{{"write", writes}, {"read", reads}} {
		slices.Sort(m.d)
		b.ReportMetric(float64(m.d[len(m.d)/2].Microseconds()), m.name+"-p50-µs")
		b.ReportMetric(float64(m.d[len(m.d)*99/100].Microseconds()), m.name+"-p99-µs")
	}
}
