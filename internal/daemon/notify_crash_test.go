package daemon_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bench"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

// TestCrashNotifications kills difesad with SIGKILL while urgent alerts
// are being submitted and their webhooks delivered (the receiver answers
// slowly, to widen the moment between a delivery and its record), then
// restarts it. After a last clean run, every committed alert must have
// been counted in exactly one notification id: the counts over distinct
// webhook-ids add up to the alerts the hub lists, which are at least the
// acknowledged ones and at most those plus the ones in flight at a kill.
// A notification sent twice carries the same id and the same count, and
// the outbox ends empty.
//
// Only urgent events are used: reports are batched in windows of at least
// a minute (batch_window cannot be shorter), longer than this test runs.
func TestCrashNotifications(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs SIGKILL and child processes")
	}
	maxCycles, minCycles, budget := 30, 5, 25*time.Second
	if testing.Short() {
		maxCycles, minCycles, budget = 4, 2, 6*time.Second
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))

	var rmu sync.Mutex
	rrng := rand.New(rand.NewPCG(seed, 2))
	recv, err := bench.NewWebhookReceiver(func() time.Duration {
		rmu.Lock()
		defer rmu.Unlock()
		return time.Duration(rrng.IntN(30)) * time.Millisecond
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { recv.Close() })

	identity, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	h := testserver.NewHub(t, "crash", identity.Recipient().String())
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "difesad.toml")
	// The load here is the point, not something to push back on: no
	// proof of work, no hourly cap.
	cfg := fmt.Sprintf(`log_level = "error"
pow_max_bits = 0

[[hub]]
id = "crash"
name = "Crash hub"
admin_key = %q
manifest_file = %q
max_submissions_per_hour = 0

[[hub.channel]]
name = "hook"
type = "webhook"
url = %q
secret = %q
batch_window = "1m"
`, h.Config.AdminKey, h.Config.ManifestFile, recv.URL, recv.Secret)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	start := func() (*bench.Process, *bench.HubClient) {
		t.Helper()
		cmd := exec.Command(exe, "-config", cfgPath, "-listen", "127.0.0.1:0", "-data", data)
		cmd.Env = append(os.Environ(), "DIFESA_TEST_SERVE=1", "DIFESA_CONFIG=", "DIFESA_LISTEN=", "DIFESA_DATA=")
		p, err := bench.StartProcess(cmd)
		if err != nil {
			t.Fatal(err)
		}
		hc, err := bench.NewHubClient(p.HubURL, 8)
		if err != nil {
			p.Kill()
			t.Fatal(err)
		}
		return p, hc
	}

	var acked, inFlight, kills int
	begin := time.Now()
	cycle := 0
	for ; cycle < maxCycles && (cycle < minCycles || time.Since(begin) < budget); cycle++ {
		p, hc := start()
		a, f := alertsUntilKill(t, p, hc, rng)
		acked += a
		inFlight += f
		kills++
	}

	// A clean run, long enough for every pending delivery to go out.
	p, hc := start()
	if err := hc.Login(context.Background(), identity, identity.Recipient().String()); err != nil {
		p.Kill()
		t.Fatal(err)
	}
	subs, err := hc.List(context.Background())
	if err != nil {
		p.Kill()
		t.Fatal(err)
	}
	committed := 0
	for _, s := range subs {
		if s.Kind != wire.KindAlert {
			t.Errorf("%s is a %s", s.ID, s.Kind)
		}
		committed++
	}
	if committed < acked || committed > acked+inFlight {
		t.Errorf("the hub lists %d alerts; %d were acknowledged and %d in flight at a kill", committed, acked, inFlight)
	}
	counted := func(as []bench.Arrival) int {
		seen, sum := map[string]bool{}, 0
		for _, a := range as {
			if !seen[a.ID] {
				seen[a.ID] = true
				sum += a.Count
			}
		}
		return sum
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	recv.WaitFor(ctx, func(as []bench.Arrival) bool { return counted(as) >= committed })
	cancel()
	time.Sleep(200 * time.Millisecond) // a repeat on its way, if any
	if err := p.Stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}

	arrivals := recv.Arrivals()
	if got := counted(arrivals); got != committed {
		t.Errorf("notifications count %d alerts over their distinct ids; the hub committed %d (%d acknowledged, %d in flight at a kill)",
			got, committed, acked, inFlight)
	}
	byID := map[string]bench.Arrival{}
	repeats := 0
	for _, a := range arrivals {
		if a.Type != wire.EventAlertReceived || a.Hub != "crash" || !a.Urgent || a.Count < 1 {
			t.Errorf("unexpected notification %+v", a)
		}
		first, ok := byID[a.ID]
		if !ok {
			byID[a.ID] = a
			continue
		}
		repeats++
		if first.Count != a.Count || first.Type != a.Type {
			t.Errorf("notification %s sent again with count %d %s, first %d %s", a.ID, a.Count, a.Type, first.Count, first.Type)
		}
	}
	if bad := recv.Refused(); len(bad) > 0 {
		t.Errorf("the receiver refused %d notifications, first: %s", len(bad), bad[0])
	}

	st, err := store.Open(filepath.Join(data, daemon.DatabaseFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if evs, err := st.Events(); err != nil {
		t.Error(err)
	} else if len(evs) != 0 {
		t.Errorf("%d events left in the outbox after every notification went out", len(evs))
	}
	t.Logf("%d cycles in %v: %d alerts acknowledged, %d in flight at a kill, %d committed; "+
		"%d notifications, %d distinct, %d repeats", cycle, time.Since(begin).Round(time.Millisecond),
		acked, inFlight, committed, len(arrivals), len(byID), repeats)
}

// alertsUntilKill submits alerts from a few clients and kills the server
// at a random moment. It returns how many were acknowledged and how many
// were in flight (fate unknown).
func alertsUntilKill(t *testing.T, p *bench.Process, hc *bench.HubClient, rng *rand.Rand) (acked, inFlight int) {
	t.Helper()
	recips, err := hc.Recipients(context.Background())
	if err != nil {
		p.Kill()
		t.Fatal(err)
	}
	body, _, err := encryptFor(recips, rng.Uint64(), 64)
	if err != nil {
		p.Kill()
		t.Fatal(err)
	}
	const workers = 4
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		fail error
	)
	ctx, cancel := context.WithCancel(context.Background())
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				_, err := hc.SubmitKind(ctx, wire.KindAlert, bytes.NewReader(body), int64(len(body)))
				mu.Lock()
				switch {
				case err == nil:
					acked++
				case ctx.Err() != nil || isConnectionError(err):
					inFlight++ // cut by the kill: it may or may not have committed
				default:
					if fail == nil {
						fail = err
					}
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	time.Sleep(time.Duration(50+rng.IntN(400)) * time.Millisecond)
	p.Kill()
	cancel()
	wg.Wait()
	if fail != nil {
		t.Fatal(fail)
	}
	return acked, inFlight
}

// isConnectionError reports whether err is the server going away rather
// than an answer from it.
func isConnectionError(err error) bool {
	_, answered := err.(*bench.StatusError)
	return !answered
}
