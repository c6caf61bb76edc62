package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/syncbuf"
)

// waitFor polls cond for up to 20 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestWatchEndToEnd follows a real server's demo hub while a defender
// sends an alert and a report: both are printed, and -exec runs once for
// each with the event in its environment.
func TestWatchEndToEnd(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("-exec runs sh")
	}
	t.Setenv(client.ConfigDirEnv, t.TempDir())
	out := filepath.Join(t.TempDir(), "events.txt")
	t.Setenv("WATCH_TEST_OUT", out)
	srv := testserver.New(t)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	e := &env{stdin: strings.NewReader(""), stdout: stdout, stderr: stderr, now: time.Now}
	done := make(chan error, 1)
	go func() {
		done <- runWatch(ctx, e, []string{"-hub", srv.HubURL, "-i", srv.IdentityFile,
			"-exec", `echo "$DIFESA_EVENT $DIFESA_HUB $DIFESA_COUNT $DIFESA_URGENT" >> "$WATCH_TEST_OUT"`})
	}()
	waitFor(t, "the watcher to connect", func() bool { return strings.Contains(stderr.String(), "watching hub") })

	var sout, serr bytes.Buffer
	if code := Main([]string{"alert", "-hub", srv.HubURL, "-m", "police at the door"}, strings.NewReader(""), &sout, &serr); code != 0 {
		t.Fatalf("alert: exit %d: %s", code, serr.String())
	}
	if code := Main([]string{"submit", "-hub", srv.HubURL, "-m", "a report"}, strings.NewReader(""), &sout, &serr); code != 0 {
		t.Fatalf("submit: exit %d: %s", code, serr.String())
	}

	waitFor(t, "two events and two commands", func() bool {
		b, _ := os.ReadFile(out)
		return strings.Count(stdout.String(), "\n") >= 2 && bytes.Count(b, []byte("\n")) >= 2
	})
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("watch: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watch did not stop when its context ended")
	}

	date := `\d{4}-\d\d-\d\d \d\d:\d\d `
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	wantLines := []*regexp.Regexp{
		regexp.MustCompile(`^` + date + `alert\.received at hub demo \(urgent\)$`),
		regexp.MustCompile(`^` + date + `report\.received at hub demo$`),
	}
	if len(lines) != len(wantLines) {
		t.Fatalf("watch printed:\n%s", stdout)
	}
	for i, re := range wantLines {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d: %q, want %s", i, lines[i], re)
		}
	}
	b, _ := os.ReadFile(out)
	if got, want := strings.Split(strings.TrimSpace(string(b)), "\n"), []string{"alert.received demo 1 1", "report.received demo 1 0"}; !slices.Equal(got, want) {
		t.Errorf("-exec wrote %q, want %q", got, want)
	}
	if !strings.Contains(stderr.String(), "difesa: stopped") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// TestEventEnvIsSafe checks that what a hub says never reaches -exec's
// command or the terminal unchecked.
func TestEventEnvIsSafe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		n    client.Notification
		env  []string
		line string
	}{
		{
			name: "ordinary",
			n:    client.Notification{ID: "msg_abc", Hub: "it", Type: "checkin.missed", Count: 1, Urgent: true},
			env:  []string{"DIFESA_EVENT=checkin.missed", "DIFESA_HUB=it", "DIFESA_COUNT=1", "DIFESA_URGENT=1", "DIFESA_ID=msg_abc"},
			line: "2026-11-23 14:05 checkin.missed at hub it (urgent)",
		},
		{
			name: "batch",
			n:    client.Notification{ID: "msg_b", Hub: "it", Type: "report.received", Count: 3},
			env:  []string{"DIFESA_EVENT=report.received", "DIFESA_HUB=it", "DIFESA_COUNT=3", "DIFESA_URGENT=0", "DIFESA_ID=msg_b"},
			line: "2026-11-23 14:05 report.received at hub it (3)",
		},
		{
			name: "hostile",
			n:    client.Notification{ID: "x\x00y", Hub: "$(rm -rf ~)", Type: "a\x1b[2J;reboot", Count: -5},
			env:  []string{"DIFESA_EVENT=unknown", "DIFESA_HUB=demo", "DIFESA_COUNT=1", "DIFESA_URGENT=0", "DIFESA_ID="},
			line: "2026-11-23 14:05 unknown at hub demo",
		},
	}
	now := time.Date(2026, 11, 23, 14, 5, 0, 0, time.Local)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := eventEnv(tt.n, "demo"); !slices.Equal(got, tt.env) {
				t.Errorf("eventEnv = %q, want %q", got, tt.env)
			}
			if got := eventLine(now, tt.n, "demo"); got != tt.line {
				t.Errorf("eventLine = %q, want %q", got, tt.line)
			}
		})
	}
}

func TestWatchUsage(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"watch", "-hub", "http://127.0.0.1:1/hubs/demo", "-i", "x", "extra"}, strings.NewReader(""), &stdout, &stderr); code != 2 {
		t.Errorf("exit %d, want 2: %s", code, stderr.String())
	}
	if code := Main([]string{"watch", "-hub", "http://127.0.0.1:1/hubs/demo", "-i", "x", "-exec", ""}, strings.NewReader(""), &stdout, &stderr); code != 2 {
		t.Errorf("exit %d, want 2: %s", code, stderr.String())
	}
}
