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
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/testserver"
)

// The child processes of [BenchmarkDeskFirstSyncProcess]: the test binary
// run again with these variables, so that the desk's CPU time is its own
// (the hub stays in the benchmark's process) and the baseline runs in the
// same kind of process.
const (
	envProcMode     = "DIFESA_BENCH_SYNC_MODE" // "sync" or "decrypt"
	envProcHub      = "DIFESA_BENCH_SYNC_HUB"
	envProcIdentity = "DIFESA_BENCH_SYNC_IDENTITY"
	envProcCTs      = "DIFESA_BENCH_SYNC_CTS"
	envProcProfile  = "DIFESA_BENCH_SYNC_CPUPROFILE"
	envProcMemProf  = "DIFESA_BENCH_SYNC_MEMPROFILE"
)

// TestDeskSyncProcess is a child of [BenchmarkDeskFirstSyncProcess]; it
// runs only as that child. In mode "sync" it opens an empty desk over the
// hub and runs its first sync; in mode "decrypt" it decrypts and reads as
// hostile bundles the same ciphertexts, from a file, with the same
// parallelism. Either way it prints "RESULT <wall ns> <cpu ns>" for that
// work alone (getrusage of the whole process, user and system).
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
	cpu0, wall0 := processCPU(t), time.Now()
	if err := work(); err != nil {
		t.Fatal(err)
	}
	wall, cpu := time.Since(wall0), processCPU(t)-cpu0
	fmt.Printf("RESULT %d %d\n", wall.Nanoseconds(), cpu.Nanoseconds())
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

// runSyncChild runs a child in mode and returns its wall and CPU time.
func runSyncChild(b *testing.B, mode string, env ...string) (wall, cpu time.Duration) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDeskSyncProcess$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), envProcMode+"="+mode), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("%s child: %v: %s", mode, err, out)
	}
	for line := range strings.Lines(string(out)) {
		var w, c int64
		if _, err := fmt.Sscanf(line, "RESULT %d %d", &w, &c); err == nil {
			return time.Duration(w), time.Duration(c)
		}
	}
	b.Fatalf("%s child printed no result: %s", mode, out)
	return 0, 0
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
func BenchmarkDeskFirstSyncProcess(b *testing.B) {
	f := newFixture(b)
	cts := fillBundles(b, f, benchReports, 64<<10, testDay)
	ctsFile := filepath.Join(b.TempDir(), "cts")
	writeCiphertexts(b, ctsFile, cts)
	env := []string{envProcHub + "=" + f.srv.HubURL, envProcIdentity + "=" + f.srv.IdentityFile, envProcCTs + "=" + ctsFile}
	profile := os.Getenv(envProcProfile)
	var syncWall, syncCPU, decWall, decCPU time.Duration
	for range b.N {
		w, c := runSyncChild(b, "decrypt", append(env, envProcProfile+"=", envProcMemProf+"=")...)
		decWall, decCPU = decWall+w, decCPU+c
		w, c = runSyncChild(b, "sync", append(env, envProcProfile+"="+profile, envProcMemProf+"="+os.Getenv(envProcMemProf))...)
		syncWall, syncCPU = syncWall+w, syncCPU+c
	}
	s := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) }
	b.ReportMetric(s(syncWall), "sync-wall-s")
	b.ReportMetric(s(syncCPU), "sync-cpu-s")
	b.ReportMetric(s(decWall), "decrypt-wall-s")
	b.ReportMetric(s(decCPU), "decrypt-cpu-s")
	b.ReportMetric(syncCPU.Seconds()/decCPU.Seconds(), "cpu-ratio")
	b.ReportMetric(syncWall.Seconds()/decWall.Seconds(), "wall-ratio")
	b.ReportMetric(0, "ns/op")
}
