package daemon_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bench"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/syncbuf"
	"difesa.org/difesa/internal/wire"
)

// Time-like text finer than the hour. A stamp of a whole hour in RFC 3339
// (2026-11-23T14:00:00Z) is what a line may carry; it is removed first.
var (
	wholeHour   = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}T\d{2}:00:00Z\b`)
	hourlyDur   = regexp.MustCompile(`\b(\d+h)?0m0s\b|\b0s\b`)
	finerThanHr = []*regexp.Regexp{
		regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}`),            // a date with a time of day
		regexp.MustCompile(`\b\d{1,2}:\d{2}(:\d{2})?\b`),                  // a time of day
		regexp.MustCompile(`\b1\d{9}`),                                    // a Unix time, s or ms
		regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|us|ms|s|m)\b`),            // a duration under the hour
		regexp.MustCompile(`\b\d+h\d+m|\d+m\d+(\.\d+)?s`),                 // hours and minutes
		regexp.MustCompile(`(?i)"?(took|elapsed|latency|duration)"?[=:]`), // timing attributes
	}
)

// timeLikeIn returns the time-like parts of s finer than the hour.
func timeLikeIn(s string) []string {
	s = hourlyDur.ReplaceAllString(wholeHour.ReplaceAllString(s, "HOUR"), "DUR")
	var found []string
	for _, re := range finerThanHr {
		found = append(found, re.FindAllString(s, 5)...)
	}
	return found
}

// TestDebugLogsCarryNoPreciseTime runs urgent deliveries, one channel
// accepting them and one refusing them with an answer that echoes
// the webhook's timestamp and its own clock, with log_level = "debug" in
// both formats, and scans everything logged (and the outbox's last
// errors, which are on disk) for anything time-like finer than the hour.
// It also checks that no line is written at the moment of an urgent
// delivery: whatever collects the log (journald, a container runtime)
// stamps each line with the moment it arrives, and an urgent
// notification leaves at the moment of the alert. Before the fix, the
// debug line "notify: delivered" came with each alert, and the refusing
// receiver's timestamps reached the log and the outbox.
func TestDebugLogsCarryNoPreciseTime(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			logs := runDeliveries(t, format)
			if bad := timeLikeIn(logs); len(bad) > 0 {
				t.Errorf("time-like text finer than the hour in the log: %q\n%s", bad, logs)
			}
			for _, line := range strings.Split(logs, "\n") {
				if strings.Contains(line, wire.EventAlertReceived) {
					t.Errorf("a line about an urgent delivery, written as it went out: %s", line)
				}
			}
		})
	}
}

// runDeliveries starts difesad with two webhook channels and a debug
// logger in format, sends two alerts, waits until both channels were
// tried and the refusals recorded, stops the server and returns its log.
func runDeliveries(t *testing.T, format string) string {
	t.Helper()
	recv, err := bench.NewWebhookReceiver(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { recv.Close() })
	refused := make(chan string, 100)
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts := r.Header.Get("webhook-timestamp")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "webhook-timestamp %s refused at %s (%s), %dms late\n", ts,
			time.Now().UTC().Format(time.RFC3339Nano), time.Now().Format("15:04:05"), time.Now().UnixMilli())
		select {
		case refused <- r.Header.Get("webhook-id"):
		default:
		}
	}))
	t.Cleanup(refusing.Close)

	identity, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	h := testserver.NewHub(t, "logs", identity.Recipient().String())
	dir := t.TempDir()
	path := filepath.Join(dir, "difesad.toml")
	toml := fmt.Sprintf(`pow_max_bits = 0
listen = "127.0.0.1:0"
data_dir = %q

[[hub]]
id = "logs"
name = "Logs hub"
admin_key = %q
manifest_file = %q
max_submissions_per_hour = 0

[[hub.channel]]
name = "hook"
type = "webhook"
url = %q
secret = %q
batch_window = "1m"

[[hub.channel]]
name = "refusing"
type = "webhook"
url = %q
secret = %q
batch_window = "1m"
`, filepath.Join(dir, "data"), h.Config.AdminKey, h.Config.ManifestFile, recv.URL, recv.Secret, refusing.URL+"/hook", recv.Secret)
	if err := os.WriteFile(path, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := &syncbuf.Buffer{}
	inst, err := daemon.Start(cfg, daemon.NewLogger(logs, format, "debug"))
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			inst.Shutdown(context.Background())
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hc, err := bench.NewHubClient(inst.HubURL("logs"), 2)
	if err != nil {
		t.Fatal(err)
	}
	// Alerts only: a report's batch would wait for the end of its
	// window, a minute at most, and its lines are written then.
	for i, kind := range []string{wire.KindAlert, wire.KindAlert} {
		var ct bytes.Buffer
		w, _ := age.Encrypt(&ct, identity.Recipient())
		fmt.Fprintf(w, "submission %d", i)
		w.Close()
		if _, err := hc.SubmitKind(ctx, kind, &ct, int64(ct.Len())); err != nil {
			t.Fatal(err)
		}
	}
	err = recv.WaitFor(ctx, func(as []bench.Arrival) bool {
		n := 0
		for _, a := range as {
			if a.Urgent {
				n += a.Count // the two may share a notification
			}
		}
		return n >= 2
	})
	if err != nil {
		t.Fatalf("the alerts' notifications did not arrive: %v", err)
	}
	select {
	case <-refused:
	case <-ctx.Done():
		t.Fatal("the refusing channel was not tried")
	}
	// The refused attempts are recorded in the outbox, on disk.
	for {
		evs, err := inst.Store.Events()
		if err != nil {
			t.Fatal(err)
		}
		recorded := 0
		for _, ev := range evs {
			if d := ev.Deliveries["refusing"]; d != nil && d.LastError != "" {
				recorded++
				if bad := timeLikeIn(d.LastError); len(bad) > 0 {
					t.Errorf("time-like text in the outbox's last error: %q in %q", bad, d.LastError)
				}
			}
		}
		if recorded >= 2 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the refused attempts were not recorded: %+v", evs)
		case <-time.After(10 * time.Millisecond):
		}
	}
	stopped = true
	if err := inst.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	return logs.String()
}
