package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/manifest"
)

const usage = `difesa-bench measures a difesa server on this machine.

Usage:
    go run ./cmd/difesa-bench [options]

It starts difesad and a bare baseline (net/http plus one fsync'd bbolt write
per request) as separate processes on 127.0.0.1, sends each the same small
age files from many clients at once, then streams one large age file to a
fresh difesad while watching its memory, and downloads it back. Then it
times urgent alerts from their 201 to their webhook reaching a receiver on
127.0.0.1, and compares ingest with a webhook channel and without.

With -soak D it then keeps one difesad under mixed load for D: small
reports from -concurrency clients (one every quarter second or so each),
4 MiB uploads two at a time, alerts, responders who log in, list,
download, decrypt and delete, two who read and write the case records of
16 submissions (and two who do the same at a bare baseline's
compare-and-swap endpoint, started for the soak), and defenders who check
in, follow up and read replies. It reports each kind of request's rate and latency, the
server's open files, threads and memory over time and its database's size,
and fails if the open files grew or any request failed unexpectedly. Its
server asks for no proof of work and its hub has no hourly cap: both would
turn the load away, which is their job but not what the soak watches.
The same server has a second hub, whose alarms escalate after a minute:
twelve urgent alerts sent to it on the idle server (the baseline), then
twelve more under the soak's load, are timed from their 201 to their
webhook and to their alarm's first escalation on an escalation-only
webhook (the load lasts until the second probe is done: 2 to 3 minutes).

Options:
    -duration D      how long each small-submission run lasts (default 10s)
    -concurrency N   concurrent clients (default 64)
    -max N           most submissions per run (default 200000)
    -size N          plaintext bytes of a small submission (default 2048)
    -big=false       skip the large submission
    -big-size SIZE   plaintext of the large submission (default 2GiB)
    -notify=false    skip the notification runs
    -alerts N        urgent alerts sent to time their webhooks (default 300)
    -soak D          also run the soak for D, e.g. 3m (default: no soak)
    -alarms=false    skip the soak's alarm probes
    -only LIST       run only these phases, comma-separated: small, big,
                     notify, soak (-only soak soaks for 3m unless -soak says)
    -dir DIR         work folder (default: a temporary folder, removed after)
    -o FILE          also write the results as JSON to FILE
`

// Goals the results are held to. Missing them is reported, not fatal.
const (
	goalRatio     = 0.8
	goalPerSecond = 1000
	goalRSSGrowth = 64 << 20
)

// Results is everything one run measured.
type Results struct {
	Machine     string        `json:"machine"`
	Concurrency int           `json:"concurrency"`
	Plaintext   int           `json:"small_plaintext_bytes"`
	AgeFile     int           `json:"small_age_file_bytes"`
	Baseline    *LoadResult   `json:"baseline,omitempty"`
	Difesa      *LoadResult   `json:"difesa,omitempty"`
	Ratio       float64       `json:"ratio_difesa_to_baseline,omitempty"`
	Big         *BigResult    `json:"big,omitempty"`
	Notify      *NotifyResult `json:"notify,omitempty"`
	Soak        *SoakResult   `json:"soak,omitempty"`
	Goals       []Goal        `json:"goals"`
}

// Goal is one target and whether the run met it.
type Goal struct {
	Name string `json:"name"`
	Pass bool   `json:"pass"`
}

// sizeFlag is a flag.Value over [config.Size] ("2GiB").
type sizeFlag struct{ config.Size }

func (s *sizeFlag) Set(v string) error { return s.UnmarshalText([]byte(v)) }
func (s *sizeFlag) String() string     { return fmt.Sprint(int64(s.Size)) }

// Main runs difesa-bench and returns its exit code. The hidden first
// arguments -serve and -serve-baseline make it the server under test.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "-serve":
			return daemon.Main(args[1:], stdout, stderr, os.Getenv)
		case "-serve-baseline":
			return serveBaseline(args[1:], stdout, stderr)
		}
	}
	fs := flag.NewFlagSet("difesa-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	duration := fs.Duration("duration", 10*time.Second, "")
	concurrency := fs.Int("concurrency", 64, "")
	maxReq := fs.Int("max", 200000, "")
	size := fs.Int("size", 2048, "")
	big := fs.Bool("big", true, "")
	bigSize := &sizeFlag{config.Size(2 << 30)}
	fs.Var(bigSize, "big-size", "")
	notify := fs.Bool("notify", true, "")
	alerts := fs.Int("alerts", 300, "")
	soak := fs.Duration("soak", 0, "")
	alarms := fs.Bool("alarms", true, "")
	only := fs.String("only", "", "")
	dir := fs.String("dir", "", "")
	out := fs.String("o", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *concurrency < 1 || *maxReq < 1 || *size < 0 || *duration <= 0 || *alerts < 1 || *soak < 0 {
		fmt.Fprintln(stderr, "difesa-bench: error: bad arguments")
		fmt.Fprintln(stderr, "hint: see difesa-bench -h")
		return 2
	}
	phases := map[string]bool{"small": true, "big": *big, "notify": *notify, "soak": *soak > 0}
	if *only != "" {
		clear(phases)
		for _, name := range strings.Split(*only, ",") {
			name = strings.TrimSpace(name)
			switch name {
			case "small", "big", "notify", "soak":
				phases[name] = true
			default:
				fmt.Fprintf(stderr, "difesa-bench: error: -only: unknown phase %q\n", name)
				fmt.Fprintln(stderr, "hint: the phases are small, big, notify and soak")
				return 2
			}
		}
		if phases["soak"] && *soak == 0 {
			*soak = 3 * time.Minute
		}
	}

	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "difesa-bench: error: unable to find my own binary: %v\n", err)
		return 1
	}
	work := *dir
	if work == "" {
		if work, err = os.MkdirTemp("", "difesa-bench-"); err != nil {
			fmt.Fprintf(stderr, "difesa-bench: error: %v\n", err)
			return 1
		}
		defer os.RemoveAll(work)
	}
	r := &runner{exe: exe, work: work, log: stderr, alarms: *alarms}
	res := &Results{
		Machine:     fmt.Sprintf("%d cores, %s, %s/%s", runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH),
		Concurrency: *concurrency,
		Plaintext:   *size,
	}
	// Everything is bounded: the small runs by -duration, the big one by a
	// generous floor of 20 MB/s, the soak by -soak.
	budget := 2 * time.Minute
	if phases["small"] {
		budget += 4 * *duration
	}
	if phases["big"] {
		budget += 2 * time.Duration(int64(bigSize.Size)/20e6) * time.Second
	}
	if phases["notify"] {
		budget += 2**duration + 2*time.Minute
	}
	if phases["soak"] {
		budget += *soak + 2*time.Minute + 2*(alarmWait+alarmProbes*alarmProbeEvery) // and the alarm probes
	}
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()

	code := 0
	lo := LoadOptions{Concurrency: *concurrency, Duration: *duration, MaxRequests: *maxReq}
	if phases["small"] {
		if err := r.small(ctx, res, *size, lo); err != nil {
			fmt.Fprintf(stderr, "difesa-bench: error: small submissions: %v\n", err)
			code = 1
		}
	}
	if phases["big"] {
		if err := r.big(ctx, res, int64(bigSize.Size)); err != nil {
			fmt.Fprintf(stderr, "difesa-bench: error: large submission: %v\n", err)
			code = 1
		}
	}
	if phases["notify"] {
		if err := r.notify(ctx, res, *alerts, *size, lo); err != nil {
			fmt.Fprintf(stderr, "difesa-bench: error: notifications: %v\n", err)
			code = 1
		}
	}
	if phases["soak"] {
		if err := r.soak(ctx, res, *soak, *concurrency, *size); err != nil {
			fmt.Fprintf(stderr, "difesa-bench: error: %v\n", err)
			code = 1
		}
	}
	res.judge()
	res.print(stdout)
	if *out != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintf(stderr, "difesa-bench: error: %v\n", err)
			code = 1
		}
	}
	return code
}

type runner struct {
	exe    string
	work   string
	log    io.Writer
	alarms bool // run the alarm probe in the soak
}

// start runs this binary in one of its server modes.
func (r *runner) start(mode string, args ...string) (*Process, error) {
	cmd := exec.Command(r.exe, append([]string{mode, "-listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "DIFESA_CONFIG=", "DIFESA_LISTEN=", "DIFESA_DATA=")
	return StartProcess(cmd)
}

func (r *runner) small(ctx context.Context, res *Results, size int, lo LoadOptions) error {
	fmt.Fprintf(r.log, "difesa-bench: small submissions: %d clients, up to %v or %d requests per run\n", lo.Concurrency, lo.Duration, lo.MaxRequests)
	// The demo hub, without proof of work: the harness measures storage
	// at a thousand submissions a second, not puzzles.
	cfgPath := filepath.Join(r.work, "small.toml")
	if err := os.WriteFile(cfgPath, []byte("pow_max_bits = 0\n"), 0o600); err != nil {
		return err
	}
	difesad, err := r.start("-serve", "-config", cfgPath, "-data", filepath.Join(r.work, "small"))
	if err != nil {
		return err
	}
	defer difesad.Stop(30 * time.Second)
	baseline, err := r.start("-serve-baseline", "-data", filepath.Join(r.work, "baseline"))
	if err != nil {
		return err
	}
	defer baseline.Stop(30 * time.Second)

	hc, err := NewHubClient(difesad.HubURL, lo.Concurrency)
	if err != nil {
		return err
	}
	recips, err := hc.Recipients(ctx)
	if err != nil {
		return err
	}
	pool, err := EncryptPool(256, size, recips)
	if err != nil {
		return err
	}
	res.AgeFile = len(pool[0])

	bc := NewTransport(lo.Concurrency)
	sendBaseline := func(ctx context.Context, body []byte) error {
		return postBody(ctx, bc, baseline.URL+"/submit", body)
	}
	sendDifesa := func(ctx context.Context, body []byte) error {
		_, err := hc.Submit(ctx, bytes.NewReader(body), int64(len(body)))
		return err
	}
	b, d, ratio := r.compare(ctx, pool, lo, "baseline run", sendBaseline, "difesa run", sendDifesa)
	res.Baseline, res.Difesa, res.Ratio = &b, &d, ratio
	if err := difesad.Stop(30 * time.Second); err != nil {
		return err
	}
	return baseline.Stop(30 * time.Second)
}

// EncryptPool returns n age files, each of a distinct size-byte random
// plaintext encrypted to recipients.
func EncryptPool(n, size int, recipients []age.Recipient) ([][]byte, error) {
	pool := make([][]byte, n)
	for i := range pool {
		var buf bytes.Buffer
		w, err := age.Encrypt(&buf, recipients...)
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(w, Plaintext(uint64(i)+1, int64(size))); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		pool[i] = buf.Bytes()
	}
	return pool, nil
}

func (r *runner) big(ctx context.Context, res *Results, size int64) error {
	dir := filepath.Join(r.work, "big")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		return err
	}
	// age adds 16 bytes per 64 KiB chunk and a header of a few KiB.
	limit := max(int64(hub.DefaultMaxSubmissionSize), size+size/1024+1<<20)
	admin, err := manifest.GenerateKey()
	if err != nil {
		return err
	}
	signed, err := manifest.Sign(admin, []byte(fmt.Sprintf("%s\nhub: bench\nepoch: 1\nissued: 2026-11-23\nprevious: none\nrecipient: %s responder Bench\n",
		manifest.Header, id.Recipient())))
	if err != nil {
		return err
	}
	manifestPath := filepath.Join(dir, "bench.manifest.json")
	if err := os.WriteFile(manifestPath, signed.Marshal(), 0o600); err != nil {
		return err
	}
	cfgPath := filepath.Join(dir, "difesad.toml")
	cfg := fmt.Sprintf("log_level = \"warn\"\n\n[[hub]]\nid = \"bench\"\nname = \"Benchmark hub\"\nadmin_key = %q\nmanifest_file = %q\nmax_submission_size = \"%dB\"\n",
		admin.Public().String(), manifestPath, limit)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(r.log, "difesa-bench: large submission: %d bytes of plaintext\n", size)
	p, err := r.start("-serve", "-config", cfgPath, "-data", filepath.Join(dir, "data"))
	if err != nil {
		return err
	}
	defer p.Stop(30 * time.Second)
	hc, err := NewHubClient(p.HubURL, 1)
	if err != nil {
		return err
	}
	recips, err := hc.Recipients(ctx)
	if err != nil {
		return err
	}
	if err := hc.Login(ctx, id, id.Recipient().String()); err != nil {
		return err
	}
	br, err := runBig(ctx, p, hc, id, recips, size)
	br.HubLimit = limit
	res.Big = &br
	if err != nil {
		return err
	}
	return p.Stop(30 * time.Second)
}
