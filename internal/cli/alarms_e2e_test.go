package cli_test

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/cli"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/testutil/syncbuf"
)

// alarmServer starts a demo server on dataDir at clock's time.
func alarmServer(t *testing.T, dataDir string, clock *instants.Clock) *testserver.Server {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = dataDir
	return testserver.NewWithOptions(t, cfg, testserver.Options{Now: clock.Now})
}

// stopServer shuts srv down (the test's cleanup then does nothing more).
func stopServer(t *testing.T, srv *testserver.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Instance.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// startTimer arms a check-in and returns its two codes.
func startTimer(t *testing.T, pins, hub, text string) (code, duress string) {
	t.Helper()
	_, stderr := must(t, pins, "checkin", "start", "-hub", hub, "-every", "1h", "-grace", "10m", "-m", text)
	c, d := shownCheckinCode.FindStringSubmatch(stderr), shownDuressCode.FindStringSubmatch(stderr)
	if c == nil || d == nil {
		t.Fatalf("checkin start:\n%s", stderr)
	}
	return c[1], d[1]
}

// waitAlarms waits, at most 20 s, until the server's store holds n open
// alarms.
func waitAlarms(t *testing.T, srv *testserver.Server, n int) []store.Alarm {
	t.Helper()
	var open []store.Alarm
	waitUntil(t, "open alarms", func() bool {
		all, err := srv.Instance.Store.Alarms("demo")
		if err != nil {
			t.Fatal(err)
		}
		open = open[:0]
		for _, a := range all {
			if a.State == store.AlarmOpen {
				open = append(open, a)
			}
		}
		return len(open) == n
	})
	return open
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestAlarmsSurviveRestarts: a duress check-in, a missed check-in, and a
// duress after a miss each open an alarm that survives restarts of the
// server (the same bbolt file), leads "difesa inbox" with its marks, is
// replayed by a "difesa watch" started later, is not closed by a normal
// check-in, and is closed by "difesa ack", which the audit log records.
func TestAlarmsSurviveRestarts(t *testing.T) {
	dir := t.TempDir()
	pins := filepath.Join(dir, "pins")
	data := filepath.Join(dir, "data")
	clock := instants.NewClock(time.Date(2026, 11, 23, 10, 17, 0, 0, time.UTC))

	srv := alarmServer(t, data, clock)
	aCode, _ := startTimer(t, pins, srv.HubURL, "A: call my sister")
	_, bDuress := startTimer(t, pins, srv.HubURL, "B: call the lawyer")
	_, cDuress := startTimer(t, pins, srv.HubURL, "C: call the union")
	// C: a duress check-in at once, before any miss.
	must(t, pins, "checkin", "-hub", srv.HubURL, "-code-fd", secretFD(t, cDuress))
	waitAlarms(t, srv, 1)
	stopServer(t, srv)

	// Down across the deadlines: A and B fire once, right after start.
	clock.Set(time.Date(2026, 11, 23, 12, 5, 0, 0, time.UTC))
	srv = alarmServer(t, data, clock)
	waitAlarms(t, srv, 3)
	clock.Set(time.Date(2026, 11, 23, 13, 5, 0, 0, time.UTC))
	// B: duress after the miss keeps both; A: a normal check-in closes
	// nothing.
	must(t, pins, "checkin", "-hub", srv.HubURL, "-code-fd", secretFD(t, bDuress))
	must(t, pins, "checkin", "-hub", srv.HubURL, "-code-fd", secretFD(t, aCode))
	stopServer(t, srv)

	srv = alarmServer(t, data, clock)
	open := waitAlarms(t, srv, 3)
	list, stderr := must(t, pins, "inbox", "-hub", srv.HubURL, "-i", srv.IdentityFile)
	tables := strings.SplitN(list, "\n\n", 2)
	if len(tables) != 2 || !strings.HasPrefix(tables[0], "ALARM ") || !strings.Contains(tables[1], "ID ") {
		t.Fatalf("inbox does not list alarms first:\n%s", list)
	}
	wantRows := []*regexp.Regexp{
		regexp.MustCompile(`(?m)^\S+ +DURESS +2026-11-23 12:00 UTC +OPEN +missed at about 12:00 UTC, then DURESS signal at about 13:00 UTC +\S+$`),
		regexp.MustCompile(`(?m)^\S+ +missed check-in +2026-11-23 12:00 UTC +OPEN +missed at about 12:00 UTC, then checked in again at about 13:00 UTC +\S+$`),
		regexp.MustCompile(`(?m)^\S+ +DURESS +2026-11-23 10:00 UTC +OPEN +DURESS signal at about 10:00 UTC, then missed at about 12:00 UTC +\S+$`),
	}
	for _, re := range wantRows {
		if !re.MatchString(tables[0]) {
			t.Errorf("inbox alarms lack %s:\n%s", re, tables[0])
		}
	}
	if !strings.Contains(stderr, "3 OPEN ALARMS") {
		t.Errorf("inbox does not warn of the open alarms:\n%s", stderr)
	}

	// A watch started now replays the three, before anything live.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wout, werr := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	done := make(chan error, 1)
	go func() { done <- cli.RunWatch(ctx, wout, werr, []string{"-hub", srv.HubURL, "-i", srv.IdentityFile}) }()
	waitUntil(t, "three replayed alarms", func() bool { return strings.Count(wout.String(), "OPEN ALARM since ") == 3 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("watch: %v", err)
	}
	for _, a := range open {
		if !strings.Contains(wout.String(), "alarm "+a.ID.String()) {
			t.Errorf("watch did not replay %s:\n%s", a.ID, wout)
		}
	}
	if !strings.Contains(wout.String(), "OPEN ALARM since 2026-11-23 12:00 UTC: DURESS at hub demo (missed at about 12:00 UTC, then DURESS signal at about 13:00 UTC) alarm ") {
		t.Errorf("watch:\n%s", wout)
	}

	// Acknowledged with a note: closed, shown as such, audited.
	ack := open[0].ID.String()
	_, stderr = must(t, pins, "ack", "-hub", srv.HubURL, "-i", srv.IdentityFile, "-note", "called the lawyer", ack)
	if !regexp.MustCompile(`alarm ` + ack + ` on hub "demo" acknowledged by \S.* \(2026-11-23 13:00 UTC\)`).MatchString(stderr) {
		t.Errorf("ack:\n%s", stderr)
	}
	_, stderr = must(t, pins, "ack", "-hub", srv.HubURL, "-i", srv.IdentityFile, ack)
	if !strings.Contains(stderr, "acknowledged by") {
		t.Errorf("second ack:\n%s", stderr)
	}
	refused(t, pins, []string{`has no alarm`}, "ack", "-hub", srv.HubURL, "-i", srv.IdentityFile, strings.Repeat("a", 26))
	list, stderr = must(t, pins, "inbox", "-hub", srv.HubURL, "-i", srv.IdentityFile)
	if !regexp.MustCompile(`(?m)^`+ack+` .* acknowledged by \S.* at 2026-11-23 13:00 UTC `).MatchString(list) || !strings.Contains(stderr, "2 OPEN ALARMS") {
		t.Errorf("inbox after the ack:\n%s\n%s", list, stderr)
	}
	log, err := srv.Instance.Store.Audit("demo")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range log {
		if ev.Event == "alarm.acknowledged" && ev.Alarm == ack && ev.By != "" && ev.Time.Equal(time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC)) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("audit log: %+v", log)
	}
	if a, _ := srv.Instance.Store.Alarm("demo", open[0].ID); len(a.Note) == 0 || strings.Contains(string(a.Note), "lawyer") {
		t.Errorf("the note is missing or not encrypted: %q", a.Note)
	}
}
