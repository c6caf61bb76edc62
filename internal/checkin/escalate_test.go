package checkin

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testutil/instants"
)

func openAlert(t *testing.T, st *store.Store, hub string) store.ID {
	t.Helper()
	up := st.NewUpload(hub)
	up.OpenAlarm(store.AlarmAlert)
	if _, err := up.Commit([]byte("alert"), store.Submission{Kind: "alert"}); err != nil {
		t.Fatal(err)
	}
	list, err := st.Alarms(hub)
	if err != nil || len(list) == 0 {
		t.Fatalf("alarms %+v, %v", list, err)
	}
	return list[0].ID // the newest
}

// TestRunEscalates: the running scheduler, on its injected clock, fires
// an escalation step when it is due and wakes the notification worker.
func TestRunEscalates(t *testing.T) {
	clock := instants.NewClock(time.Date(2026, 12, 31, 23, 55, 0, 0, time.UTC))
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id := openAlert(t, st, "h")
	wake := make(chan time.Time)
	asleep := make(chan time.Duration, 16)
	fired := make(chan struct{}, 4)
	s := NewScheduler(st, slog.New(slog.DiscardHandler))
	s.Now = clock.Now
	s.After = func(d time.Duration) <-chan time.Time { asleep <- d; return wake }
	s.Fired = func() { fired <- struct{}{} }
	s.Escalation = map[string]Escalation{"h": {After: 5 * time.Minute}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	sleepFor := func() time.Duration {
		select {
		case d := <-asleep:
			return d
		case <-time.After(10 * time.Second):
			t.Fatal("the scheduler did not go to sleep")
			return 0
		}
	}
	sleepFor()
	for range 4 { // 4 × 1 m: not yet
		clock.Advance(time.Minute)
		wake <- clock.Now()
		sleepFor()
	}
	select {
	case <-fired:
		t.Fatal("escalated before escalate_after")
	default:
	}
	clock.Advance(time.Minute)
	wake <- clock.Now()
	select {
	case <-fired:
	case <-time.After(10 * time.Second):
		t.Fatal("no escalation after escalate_after")
	}
	// Step 2 is 10 m away: the scheduler sleeps at most MaxSleep.
	if d := sleepFor(); d > MaxSleep {
		t.Fatalf("sleeps %v", d)
	}
	if a, err := st.Alarm("h", id); err != nil || a.Escalated != 1 {
		t.Fatalf("alarm %+v, %v", a, err)
	}
}

// TestPendingEscalationsReport: `difesad outbox` counts the escalating
// alarms per hub with their next step, and nothing that dates them.
func TestPendingEscalationsReport(t *testing.T) {
	clock := instants.NewClock(time.Date(2026, 3, 4, 10, 17, 43, 0, time.UTC))
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var buf bytes.Buffer
	if err := WriteEscalations(&buf, nil); err != nil || !strings.Contains(buf.String(), "no escalation pending") {
		t.Fatalf("%q, %v", buf.String(), err)
	}
	a := openAlert(t, st, "it")
	openAlert(t, st, "si")
	b := openAlert(t, st, "si")
	if ok, err := st.Escalate("it", a, 1); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, err := st.Escalate("si", b, 1); !ok || err != nil {
		t.Fatal(ok, err)
	}
	list, err := PendingEscalations(st, map[string]Escalation{"si": {Steps: 1}})
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	WriteEscalations(&buf, list)
	out := buf.String()
	for _, want := range []string{
		`(?m)^it\s+1\s+2 of 5\s+20m0s\s+0$`,
		`(?m)^si\s+1\s+1 of 1\s+10m0s\s+1$`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("report lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "10:") || strings.Contains(out, "2026") {
		t.Errorf("report dates something:\n%s", out)
	}
}
