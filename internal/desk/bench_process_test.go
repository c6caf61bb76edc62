package desk

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/instants"
)

// The desk's process of the benchmark: the test binary run again with
// these variables, a desk alone in its process (the hub stays in the
// benchmark's), as `difesa desk` runs on a responder's computer.
const (
	envDeskHub      = "DIFESA_BENCH_DESK_HUB"
	envDeskIdentity = "DIFESA_BENCH_DESK_IDENTITY"
	envDeskCases    = "DIFESA_BENCH_DESK_CASES"
)

// TestDeskBenchProcess is the desk process of [BenchmarkDesk]; it runs
// only as that child. It syncs the hub, prints "DESK <address>" and its
// memory ("MEM heap rss peak", MiB), then prints its memory again for
// each line it reads, until its input ends.
func TestDeskBenchProcess(t *testing.T) {
	hub := os.Getenv(envDeskHub)
	if hub == "" {
		t.Skip("the desk process of BenchmarkDesk")
	}
	n, err := strconv.Atoi(os.Getenv(envDeskCases))
	if err != nil {
		t.Fatal(err)
	}
	id := testserver.LoadIdentity(t, os.Getenv(envDeskIdentity))
	clock := instants.NewClock(testDay)
	d := newDeskWith(t, casebook.Options{
		Dir: filepath.Join(t.TempDir(), "desk"), Identities: []age.Identity{id}, Recipient: id.Recipient(),
		Now: clock.Now, SyncEvery: time.Hour,
		Hubs: []casebook.HubConfig{{URL: hub, Pins: client.NewPinStore(t.TempDir())}},
	})
	waitCases(t, d.book, n)
	fmt.Printf("DESK %s\n", d.Address())
	printMemory()
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		printMemory()
	}
}

func printMemory() {
	m := processMemory()
	fmt.Printf("MEM %.1f %.1f %.1f\n", m.heapMiB, m.rssMiB, m.peakMiB)
}

// waitCases waits, at most five minutes, until bk holds n cases.
func waitCases(t testing.TB, bk *casebook.Book, n int) {
	t.Helper()
	ch, stop := bk.Changes()
	defer stop()
	deadline := time.After(5 * time.Minute)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		p, err := bk.Inbox(casebook.Filter{})
		if err == nil && p.Total >= n {
			return
		}
		select {
		case <-ch:
		case <-tick.C:
		case <-deadline:
			t.Fatalf("the desk has %d cases after five minutes, want %d (%v)", p.Total, n, err)
		}
	}
}

// caseLinkRE finds the links to cases on a page.
var caseLinkRE = regexp.MustCompile(`/case/[a-z0-9-]+/[a-z2-7]+`)

// deskProcess is the desk's child process.
type deskProcess struct {
	address string
	in      io.WriteCloser
	out     *bufio.Scanner
}

// startDeskProcess starts the desk's process over the hub and waits
// until it has synced n cases; it ends with the benchmark.
func startDeskProcess(b *testing.B, hubURL, identityFile string, n int) (*deskProcess, memory) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDeskBenchProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envDeskHub+"="+hubURL, envDeskIdentity+"="+identityFile, envDeskCases+"="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	outp, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	b.Cleanup(func() {
		in.Close()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	p := &deskProcess{in: in, out: bufio.NewScanner(outp)}
	line := p.line(b, "DESK ")
	p.address = line
	return p, p.memory(b, false)
}

// line reads the child's output up to its next line starting with
// prefix, and returns the rest of that line.
func (p *deskProcess) line(b *testing.B, prefix string) string {
	b.Helper()
	for p.out.Scan() {
		if rest, ok := strings.CutPrefix(p.out.Text(), prefix); ok {
			return rest
		}
	}
	b.Fatalf("the desk process ended before printing %q: %v", prefix, p.out.Err())
	return ""
}

// memory reads the child's memory (asking for it if ask).
func (p *deskProcess) memory(b *testing.B, ask bool) memory {
	b.Helper()
	if ask {
		if _, err := io.WriteString(p.in, "mem\n"); err != nil {
			b.Fatal(err)
		}
	}
	var m memory
	if _, err := fmt.Sscanf(p.line(b, "MEM "), "%f %f %f", &m.heapMiB, &m.rssMiB, &m.peakMiB); err != nil {
		b.Fatal(err)
	}
	return m
}

// benchDeskProcess measures the memory of a desk alone in its process:
// after its first sync of the hub's n cases, and after the benchmark's
// requests (the inbox pages, the searches, 200 cases).
func benchDeskProcess(b *testing.B, srv *testserver.Server, n int, paths []string) {
	var loaded, after memory
	for range b.N {
		p, l := startDeskProcess(b, srv.HubURL, srv.IdentityFile, n)
		ses := openDesk(b, p.address)
		paths := append(slices.Clone(paths), ses.search(b, benchRare), ses.search(b, benchNone))
		_, inbox, err := fetch(ses.hc, ses.get("/"))
		if err != nil {
			b.Fatal(err)
		}
		// The cases of the first page, which a responder opens.
		cases := caseLinkRE.FindAllString(string(inbox), -1)
		if len(cases) == 0 {
			b.Fatal("no case on the inbox's first page")
		}
		for i := range benchRequests {
			for _, path := range append(paths, cases[i%len(cases)]) {
				status, body, err := fetch(ses.hc, ses.get(path))
				if err != nil || status != http.StatusOK {
					b.Fatalf("%s: %d %v: %.200s", path, status, err, body)
				}
			}
		}
		loaded, after = l, p.memory(b, true)
	}
	b.ReportMetric(loaded.heapMiB, "heap-loaded-MiB")
	b.ReportMetric(loaded.rssMiB, "rss-loaded-MiB")
	b.ReportMetric(after.heapMiB, "heap-after-MiB")
	b.ReportMetric(after.rssMiB, "rss-after-MiB")
	b.ReportMetric(after.peakMiB, "rss-peak-MiB")
	b.ReportMetric(0, "ns/op")
}
