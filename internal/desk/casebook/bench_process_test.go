package casebook

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/tool"
)

// The child processes of [BenchmarkDeskFirstSyncProcess]: the test binary
// run again with these variables, so that the desk's CPU time is its own
// (the hub stays in the benchmark's process) and the baseline runs in the
// same kind of process.
const (
	envProcMode     = "DIFESA_BENCH_SYNC_MODE" // "sync", "decrypt" or "decrypt-stream"
	envProcHub      = "DIFESA_BENCH_SYNC_HUB"
	envProcIdentity = "DIFESA_BENCH_SYNC_IDENTITY"
	envProcCTs      = "DIFESA_BENCH_SYNC_CTS"
	envProcProfile  = "DIFESA_BENCH_SYNC_CPUPROFILE"
	envProcMemProf  = "DIFESA_BENCH_SYNC_MEMPROFILE"
)

// TestDeskSyncProcess is a child of [BenchmarkDeskFirstSyncProcess]; it
// runs only as that child. In mode "sync" it opens an empty desk over the
// hub and runs its first sync; in mode "decrypt" it decrypts and reads as
// hostile bundles the same ciphertexts, read from a file beforehand, with
// the same parallelism ("decrypt-stream": read as it goes). Each prints a [childResult] for that work alone
// (getrusage of the whole process, user and system; the Go runtime's
// counts of what it allocated).
func TestDeskSyncProcess(t *testing.T) {
	mode := os.Getenv(envProcMode)
	if mode == "" {
		t.Skip("a child process of BenchmarkDeskFirstSyncProcess")
	}
	id := testserver.LoadIdentity(t, os.Getenv(envProcIdentity))
	var work func() error
	switch mode {
	case "sync":
		bk, err := Open(Options{
			Dir: filepath.Join(t.TempDir(), "desk"), Identities: []age.Identity{id}, Recipient: id.Recipient(),
			Now: func() time.Time { return testDay }, SyncEvery: time.Hour,
			Hubs: []HubConfig{{URL: os.Getenv(envProcHub), Pins: client.NewPinStore(t.TempDir())}},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer bk.Close()
		work = func() error { return bk.syncHub(context.Background(), bk.hubs[0], true) }
	case "decrypt":
		cts := readCiphertexts(t, os.Getenv(envProcCTs))
		work = func() error {
			var failed atomic.Bool
			parallel(len(cts), func(i int) {
				if _, _, err := decrypt(cts[i], []age.Identity{id}); err != nil {
					failed.Store(true)
				}
			})
			if failed.Load() {
				return fmt.Errorf("decryption failed")
			}
			return nil
		}
	case "decrypt-stream":
		f, offs := openCiphertexts(t, os.Getenv(envProcCTs))
		work = func() error {
			var failed atomic.Bool
			parallel(len(offs)-1, func(i int) {
				// Each ciphertext read when it is decrypted, into a buffer
				// of its size, as the desk downloads it. Holding them all
				// (114 MB, mode "decrypt") makes the garbage collector run
				// a tenth as often as in the desk; without them it runs
				// more often than in the desk, whose model is a larger
				// live heap. The goal is measured against "decrypt", the
				// cheaper of the two.
				ct := make([]byte, offs[i+1]-offs[i]-4)
				if _, err := f.ReadAt(ct, offs[i]+4); err != nil {
					failed.Store(true)
					return
				}
				if _, _, err := decrypt(ct, []age.Identity{id}); err != nil {
					failed.Store(true)
				}
			})
			if failed.Load() {
				return fmt.Errorf("decryption failed")
			}
			return nil
		}
	default:
		t.Fatalf("unknown mode %q", mode)
	}
	if p := os.Getenv(envProcProfile); p != "" {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0, wall0 := processCPU(t), time.Now()
	if err := work(); err != nil {
		t.Fatal(err)
	}
	wall, cpu := time.Since(wall0), processCPU(t)-cpu0
	runtime.ReadMemStats(&ms1)
	hwm := peakRSS(t)
	runtime.GC()
	var ms2 runtime.MemStats
	runtime.ReadMemStats(&ms2)
	fmt.Printf("RESULT %d %d %d %d %d %d %d\n", wall.Nanoseconds(), cpu.Nanoseconds(),
		ms1.TotalAlloc-ms0.TotalAlloc, ms1.Mallocs-ms0.Mallocs, ms1.NumGC-ms0.NumGC, ms2.HeapInuse, hwm)
	if p := os.Getenv(envProcMemProf); p != "" {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// peakRSS is the process's peak resident size (VmHWM; getrusage's would
// count the benchmark's process, whose size survives the exec).
func peakRSS(t testing.TB) uint64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tool.Missing(t, "no /proc/self/status to read the peak resident size from")
	}
	for line := range strings.Lines(string(status)) {
		var kb uint64
		if _, err := fmt.Sscanf(line, "VmHWM: %d kB", &kb); err == nil {
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// processCPU is the CPU time of this process so far, user and system.
func processCPU(t testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// writeCiphertexts writes cts to a file, each after its length.
func writeCiphertexts(b *testing.B, path string, cts [][]byte) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for _, ct := range cts {
		binary.Write(w, binary.BigEndian, uint32(len(ct)))
		w.Write(ct)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

func readCiphertexts(t testing.TB, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var cts [][]byte
	for {
		var n uint32
		if err := binary.Read(r, binary.BigEndian, &n); err == io.EOF {
			return cts
		} else if err != nil {
			t.Fatal(err)
		}
		ct := make([]byte, n)
		if _, err := io.ReadFull(r, ct); err != nil {
			t.Fatal(err)
		}
		cts = append(cts, ct)
	}
}

// openCiphertexts opens a file of [writeCiphertexts] and returns where
// each of its ciphertexts begins (at its length), and where the file ends.
func openCiphertexts(t testing.TB, path string) (*os.File, []int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	r := bufio.NewReader(f)
	var offs []int64
	var off int64
	for {
		offs = append(offs, off)
		var n uint32
		if err := binary.Read(r, binary.BigEndian, &n); err == io.EOF {
			return f, offs
		} else if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Discard(int(n)); err != nil {
			t.Fatal(err)
		}
		off += 4 + int64(n)
	}
}

// childResult is what a child of [BenchmarkDeskFirstSyncProcess] measured.
type childResult struct {
	wall, cpu time.Duration
	// allocBytes and allocs are what the work allocated, gcs the garbage
	// collections it ran.
	allocBytes, allocs, gcs uint64
	// heapInuse is the heap in use after the work (and a collection),
	// maxRSS the process's peak resident size, in bytes.
	heapInuse, maxRSS uint64
	// parentCPU is the benchmark's own CPU time while the child ran: the
	// hub's serving the desk, mostly.
	parentCPU time.Duration
}

func (r *childResult) add(o childResult) {
	r.wall += o.wall
	r.cpu += o.cpu
	r.allocBytes += o.allocBytes
	r.allocs += o.allocs
	r.gcs += o.gcs
	r.heapInuse += o.heapInuse
	r.maxRSS += o.maxRSS
	r.parentCPU += o.parentCPU
}

// runSyncChild runs a child in mode and returns what it measured.
func runSyncChild(b *testing.B, mode string, env ...string) childResult {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDeskSyncProcess$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), envProcMode+"="+mode), env...)
	cmd.Stderr = os.Stderr
	cpu0 := processCPU(b)
	out, err := cmd.Output()
	parentCPU := processCPU(b) - cpu0
	if err != nil {
		b.Fatalf("%s child: %v: %s", mode, err, out)
	}
	for line := range strings.Lines(string(out)) {
		var w, c int64
		var r childResult
		if _, err := fmt.Sscanf(line, "RESULT %d %d %d %d %d %d %d", &w, &c, &r.allocBytes, &r.allocs, &r.gcs, &r.heapInuse, &r.maxRSS); err == nil {
			r.wall, r.cpu, r.parentCPU = time.Duration(w), time.Duration(c), parentCPU
			return r
		}
	}
	b.Fatalf("%s child printed no result: %s", mode, out)
	return childResult{}
}

// BenchmarkDeskFirstSyncProcess measures the first sync of 10,000
// reports (1,000 with a 64 KiB attachment) by a desk alone in its own
// process, the hub on loopback in the benchmark's: the desk's wall time
// and its own CPU time, against decrypting and reading as bundles the
// same ciphertexts in the same kind of process in the same run. Run it
// with
//
//	go test ./internal/desk/casebook -run '^$' -bench DeskFirstSyncProcess -benchtime 1x
//
// and set DIFESA_BENCH_SYNC_CPUPROFILE (DIFESA_BENCH_SYNC_MEMPROFILE) to
// a file to profile the desk's sync's CPU (allocations).
//
// The goal (issue 21) is a first sync limited by decryption: the desk's
// own work (its CPU less the decryption's, own-cpu-s) smaller than the
// decryption's (cpu-ratio below 2, own-ratio below 1), and its wall time
// within 1.5 times the decryption's (wall-ratio); cpu-goal and wall-goal
// are 1 when met; best-cpu-ratio is the desk's best CPU time over the
// decryption's best, of -benchtime Nx runs. sync-alloc-MiB, sync-gcs, sync-heap-MiB (after the sync)
// and sync-maxrss-MiB are the desk's allocations, garbage collections and
// memory; the decrypt- ones the same for the decryption alone. hub-cpu-s
// is the CPU the hub (the benchmark's process) spent meanwhile, on the
// same cores. The decryption holds every ciphertext in memory, which
// makes its garbage collector run a tenth as often as the desk's; the
// stream- figures are the same decryption reading each ciphertext from
// the file as it goes, whose collector runs more often than the desk's.
func BenchmarkDeskFirstSyncProcess(b *testing.B) {
	f := newFixture(b)
	cts := fillBundles(b, f, benchReports, 64<<10, testDay)
	ctsFile := filepath.Join(b.TempDir(), "cts")
	writeCiphertexts(b, ctsFile, cts)
	env := []string{envProcHub + "=" + f.srv.HubURL, envProcIdentity + "=" + f.srv.IdentityFile, envProcCTs + "=" + ctsFile}
	profile := os.Getenv(envProcProfile)
	var sync, dec, stream childResult
	// The best of the runs, with the benchmark's -benchtime Nx: on shared
	// cores every figure moves with the others' load.
	bestSync, bestDec := time.Duration(1<<63-1), time.Duration(1<<63-1)
	for range b.N {
		d := runSyncChild(b, "decrypt", append(env, envProcProfile+"=", envProcMemProf+"=")...)
		stream.add(runSyncChild(b, "decrypt-stream", append(env, envProcProfile+"=", envProcMemProf+"=")...))
		s := runSyncChild(b, "sync", append(env, envProcProfile+"="+profile, envProcMemProf+"="+os.Getenv(envProcMemProf))...)
		dec.add(d)
		sync.add(s)
		bestSync, bestDec = min(bestSync, s.cpu), min(bestDec, d.cpu)
	}
	s := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) }
	mib := func(n uint64) float64 { return float64(n) / (1 << 20) / float64(b.N) }
	per := func(n uint64) float64 { return float64(n) / float64(b.N) }
	flag := func(ok bool) float64 {
		if ok {
			return 1
		}
		return 0
	}
	cpuRatio, wallRatio := sync.cpu.Seconds()/dec.cpu.Seconds(), sync.wall.Seconds()/dec.wall.Seconds()
	b.ReportMetric(s(sync.wall), "sync-wall-s")
	b.ReportMetric(s(sync.cpu), "sync-cpu-s")
	b.ReportMetric(s(dec.wall), "decrypt-wall-s")
	b.ReportMetric(s(dec.cpu), "decrypt-cpu-s")
	b.ReportMetric(s(sync.parentCPU), "hub-cpu-s")
	b.ReportMetric(s(sync.cpu-dec.cpu), "own-cpu-s")
	b.ReportMetric((sync.cpu-dec.cpu).Seconds()/dec.cpu.Seconds(), "own-ratio")
	b.ReportMetric(cpuRatio, "cpu-ratio")
	b.ReportMetric(wallRatio, "wall-ratio")
	b.ReportMetric(bestSync.Seconds()/bestDec.Seconds(), "best-cpu-ratio")
	b.ReportMetric(flag(cpuRatio < 2), "cpu-goal")
	b.ReportMetric(flag(wallRatio <= 1.5), "wall-goal")
	b.ReportMetric(mib(sync.allocBytes), "sync-alloc-MiB")
	b.ReportMetric(mib(dec.allocBytes), "decrypt-alloc-MiB")
	b.ReportMetric(per(sync.allocs), "sync-allocs")
	b.ReportMetric(per(dec.allocs), "decrypt-allocs")
	b.ReportMetric(per(sync.gcs), "sync-gcs")
	b.ReportMetric(per(dec.gcs), "decrypt-gcs")
	b.ReportMetric(s(stream.cpu), "stream-decrypt-cpu-s")
	b.ReportMetric(s(stream.wall), "stream-decrypt-wall-s")
	b.ReportMetric(per(stream.gcs), "stream-decrypt-gcs")
	b.ReportMetric(sync.cpu.Seconds()/stream.cpu.Seconds(), "stream-cpu-ratio")
	b.ReportMetric(mib(sync.heapInuse), "sync-heap-MiB")
	b.ReportMetric(mib(sync.maxRSS), "sync-maxrss-MiB")
	b.ReportMetric(mib(dec.maxRSS), "decrypt-maxrss-MiB")
	b.ReportMetric(0, "ns/op")
}
