package casebook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// benchWords make the benchmark reports' texts, for the search.
var benchWords = strings.Fields(`police raid office journalist detained court lawyer
threat message phone seized border travel banned family visit night street
protest camera video witness hospital release bail judge hearing appeal`)

// fillBundles stores n real report bundles on the demo hub, one in every
// tenth with an attachment of attSize bytes, each encrypted to the hub's
// recipients, and returns their ciphertexts.
func fillBundles(b testing.TB, f *fixture, n, attSize int, received time.Time) [][]byte {
	b.Helper()
	h := f.srv.Instance.Hubs.Get(daemon.DemoHubID)
	cts := make([][]byte, n)
	parallel(n, func(i int) {
		words := make([]string, 12)
		for j := range words {
			words[j] = benchWords[(i*7+j*13)%len(benchWords)]
		}
		rep := &bundle.Report{Category: "other", Narrative: fmt.Sprintf("report %d: %s", i, strings.Join(words, " ")), Where: "town " + fmt.Sprint(i%50)}
		var atts []bundle.Attachment
		if i%10 == 0 {
			data := make([]byte, attSize)
			for k := range data {
				data[k] = byte(k * i)
			}
			atts = []bundle.Attachment{{Name: "photo.jpg", Size: int64(attSize), Body: bytes.NewReader(data)}}
		}
		var buf bytes.Buffer
		w, _ := age.Encrypt(&buf, f.id.Recipient())
		if _, err := bundle.Write(w, bundle.NewEnvelope(bundle.KindReport, "en", received), rep, atts); err != nil {
			panic(err)
		}
		w.Close()
		cts[i] = buf.Bytes()
	})
	for off := 0; off < n; off += 2000 {
		k := min(2000, n-off)
		subs := make([]store.Submission, k)
		for i := range subs {
			subs[i] = store.Submission{Kind: "report", Received: received.UTC().Truncate(time.Hour), Status: "new",
				Recipients: h.Current().Fingerprint(), Epoch: h.Epoch()}
		}
		if _, err := f.srv.Instance.Store.AddBatch(h.ID, subs, cts[off:off+k]); err != nil {
			b.Fatal(err)
		}
	}
	return cts
}

// benchReports is the size of the benchmark's hub.
const benchReports = 10_000

// BenchmarkDesk measures, on a real hub on loopback with 10,000 reports
// (1,000 with a 64 KiB attachment): the first sync, bare decryption of the
// same ciphertexts, an incremental sync of 100 new reports, and the inbox
// and search latency and the memory held, at 10,000 cases. Run it with
//
//	go test ./internal/desk/casebook -run '^$' -bench Desk -benchtime 1x
func BenchmarkDesk(b *testing.B) {
	f := newFixture(b)
	cts := fillBundles(b, f, benchReports, 64<<10, testDay)
	var bk *Book
	// The desk folders outlive the sub-benchmarks.
	root := b.TempDir()

	b.Run("FirstSync", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			if bk != nil {
				bk.Close()
			}
			f.dir = filepath.Join(root, fmt.Sprint("desk", i))
			var err error
			if bk, err = Open(f.options()); err != nil {
				b.Fatal(err)
			}
			if err := bk.syncHub(context.Background(), bk.hubs[0], true); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(benchReports)*float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	})
	b.Run("BareDecrypt", func(b *testing.B) {
		for range b.N {
			var failed atomic.Bool
			parallel(len(cts), func(i int) {
				r, err := age.Decrypt(bytes.NewReader(cts[i]), f.id)
				if err != nil {
					failed.Store(true)
					return
				}
				io.Copy(io.Discard, r)
			})
			if failed.Load() {
				b.Fatal("decryption failed")
			}
		}
		b.ReportMetric(float64(benchReports)*float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	})
	b.Run("DecryptAndRead", func(b *testing.B) {
		// What the desk must do with each report whatever its storage:
		// decrypt it and read it as a hostile bundle, hashing attachments.
		for range b.N {
			var failed atomic.Bool
			parallel(len(cts), func(i int) {
				if _, _, err := decrypt(cts[i], []age.Identity{f.id}); err != nil {
					failed.Store(true)
				}
			})
			if failed.Load() {
				b.Fatal("decryption failed")
			}
		}
		b.ReportMetric(float64(benchReports)*float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	})
	b.Run("Reopen", func(b *testing.B) {
		for range b.N {
			bk.Close()
			var err error
			if bk, err = Open(f.options()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(benchReports)*float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	})
	b.Run("IncrementalSync100", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			fillBundles(b, f, 100, 64<<10, testDay)
			b.StartTimer()
			if err := bk.syncHub(context.Background(), bk.hubs[0], false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Memory", func(b *testing.B) {
		for range b.N {
			runtime.GC()
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
		p, _ := bk.Inbox(Filter{})
		b.ReportMetric(float64(p.Total), "cases")
		if p.Total != benchReports+100*b.N {
			b.Fatalf("%d cases, want %d", p.Total, benchReports+100*b.N)
		}
	})
	latency := func(b *testing.B, queries []Filter, run func(Filter) (Page, error)) {
		b.Helper()
		var ds []time.Duration
		for i := range b.N {
			for _, q := range queries {
				t0 := time.Now()
				p, err := run(q)
				ds = append(ds, time.Since(t0))
				if err != nil || (i == 0 && p.Items == nil) {
					b.Fatal(err)
				}
			}
		}
		slices.Sort(ds)
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		b.ReportMetric(ms(ds[len(ds)/2]), "p50-ms")
		b.ReportMetric(ms(ds[len(ds)*99/100]), "p99-ms")
		b.ReportMetric(0, "ns/op")
	}
	b.Run("Inbox", func(b *testing.B) {
		var qs []Filter
		for i := range 50 {
			qs = append(qs, Filter{Offset: i * 50}, Filter{Status: wire.StatusNew, Offset: i}, Filter{Month: "2026-11", Kind: wire.KindReport})
		}
		latency(b, qs, bk.Inbox)
	})
	b.Run("InboxAfterChange", func(b *testing.B) {
		// Each query follows a change of the model (a sync, a status): the
		// inbox's order is rebuilt.
		var qs []Filter
		for i := range 50 {
			qs = append(qs, Filter{Offset: i * 50})
		}
		latency(b, qs, func(f Filter) (Page, error) {
			bk.mu.Lock()
			bk.gen++
			bk.mu.Unlock()
			return bk.Inbox(f)
		})
	})
	b.Run("Search", func(b *testing.B) {
		var qs []Filter
		for i := range 50 {
			qs = append(qs, Filter{Query: benchWords[i%len(benchWords)]}, Filter{Query: benchWords[i%len(benchWords)][:3] + " " + benchWords[(i+5)%len(benchWords)]}, Filter{Query: "town " + fmt.Sprint(i)})
		}
		latency(b, qs, bk.Search)
	})
	bk.Close()
}
