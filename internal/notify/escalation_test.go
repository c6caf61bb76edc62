package notify

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"difesa.org/difesa/internal/checkin"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/wire"
)

// escalationRig is a hub with an open alert alarm, a worker delivering to
// a real webhook (every event), a real ntfy-compatible receiver and a
// second webhook (both escalation-only) on loopback, and a scheduler on
// the same injected clock.
type escalationRig struct {
	t           *testing.T
	c           *clock
	path        string
	s           *store.Store
	w           *Worker
	sched       *checkin.Scheduler
	pol         checkin.Escalation
	desk, phone *receiver
	second      *receiver
	channels    []ChannelConfig
	alarm       store.ID
	alertID     string
}

func newEscalationRig(t *testing.T, start time.Time, pol checkin.Escalation) *escalationRig {
	r := &escalationRig{t: t, c: &clock{t: start}, path: filepath.Join(t.TempDir(), "difesa.db"), pol: pol}
	secret := newSecret(t)
	r.desk, r.phone, r.second = newReceiver(t, secret), newReceiver(t), newReceiver(t, secret)
	r.channels = []ChannelConfig{
		webhookChannel("desk", r.desk.URL, secret),
		{Name: "oncall", Type: TypeNtfy, Server: r.phone.URL, Topic: "difesa-oncall-k2", EscalationOnly: true},
		func() ChannelConfig {
			c := webhookChannel("second", r.second.URL, secret)
			c.EscalationOnly = true
			return c
		}(),
	}
	r.open()
	up := r.s.NewUpload(testHub)
	up.OpenAlarm(store.AlarmAlert)
	up.Notify(store.Event{Type: wire.EventAlertReceived, Urgent: true})
	sub, err := up.Commit(bytes.Repeat([]byte(canary), 100), store.Submission{Kind: wire.KindAlert, Status: wire.StatusNew})
	if err != nil {
		t.Fatal(err)
	}
	r.alertID = sub.ID.String()
	r.alarm = r.onlyAlarm().ID
	return r
}

// open (re)opens the store, worker and scheduler, as a restart does:
// nothing in memory survives.
func (r *escalationRig) open() {
	r.t.Helper()
	s, err := store.Open(r.path, store.Options{Now: r.c.Now})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { s.Close() })
	r.s = s
	r.w = newTestWorker(r.t, s, r.c, r.channels...)
	r.sched = &checkin.Scheduler{Store: s, Escalation: map[string]checkin.Escalation{testHub: r.pol}}
}

func (r *escalationRig) restart() {
	r.t.Helper()
	if err := r.s.Close(); err != nil {
		r.t.Fatal(err)
	}
	r.open()
}

func (r *escalationRig) onlyAlarm() store.Alarm {
	r.t.Helper()
	list, err := r.s.Alarms(testHub)
	if err != nil || len(list) != 1 {
		r.t.Fatalf("alarms %+v, %v", list, err)
	}
	return list[0]
}

// pass runs the scheduler's escalation at the clock's time, then the
// worker, and returns how many steps fired.
func (r *escalationRig) pass() int {
	r.t.Helper()
	n, _, err := r.sched.EscalateDue(r.c.Now())
	if err != nil {
		r.t.Fatal(err)
	}
	step(r.t, r.w)
	return n
}

// escalations returns the escalation notifications rec got, checking each
// is content-free and carries only the type, hub and count.
func (r *escalationRig) escalations(rec *receiver) []request {
	r.t.Helper()
	var out []request
	for _, q := range rec.requests() {
		assertContentFree(r.t, "escalation", dumpRequest(q), r.alertID)
		if q.Header.Get("Priority") != "" { // ntfy
			if !bytes.Contains([]byte(q.Header.Get("Title")), []byte("acknowledged")) {
				r.t.Errorf("ntfy notification %q on an escalation-only channel", q.Header.Get("Title"))
				continue
			}
			if q.Header.Get("Priority") != "5" {
				r.t.Errorf("escalation at ntfy priority %q, want 5", q.Header.Get("Priority"))
			}
			out = append(out, q)
			continue
		}
		var b map[string]any
		if err := json.Unmarshal(q.Body, &b); err != nil {
			r.t.Fatal(err)
		}
		if b["type"] != wire.EventAlarmEscalated {
			continue
		}
		for k := range b {
			if !slices.Contains([]string{"id", "type", "hub", "count", "url", "urgent"}, k) {
				r.t.Errorf("escalation carries %q: %s", k, q.Body)
			}
		}
		if b["hub"] != testHub || b["count"] != 1.0 {
			r.t.Errorf("escalation body %s", q.Body)
		}
		out = append(out, q)
	}
	return out
}

func (r *escalationRig) wantEscalations(n int) {
	r.t.Helper()
	for name, rec := range map[string]*receiver{"desk": r.desk, "oncall": r.phone, "second": r.second} {
		got := r.escalations(rec)
		if len(got) != n {
			r.t.Fatalf("%s got %d escalations, want %d", name, len(got), n)
		}
		if all := len(rec.requests()); rec != r.desk && all != n {
			r.t.Fatalf("escalation-only channel %s got %d notifications, %d of them escalations", name, all, n)
		}
		ids := map[string]bool{}
		for _, q := range got {
			id := q.Header.Get("webhook-id") + string(q.Body)
			if ids[id] {
				r.t.Fatalf("%s got the same escalation twice: %s", name, q.Body)
			}
			ids[id] = true
		}
	}
	if a := r.onlyAlarm(); a.Escalated != n {
		r.t.Fatalf("alarm at step %d, want %d", a.Escalated, n)
	}
}

// TestEscalationSteps: an unacknowledged alarm is notified again 10m,
// then 20m, then 40m later (never a moment early), on the hub's channel
// and on the escalation-only ones, which got nothing else; the
// acknowledgement stops the steps. From instants that cross an hour, a
// day, a month and a year.
func TestEscalationSteps(t *testing.T) {
	for _, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			r := newEscalationRig(t, in.T, checkin.Escalation{})
			if n := r.pass(); n != 0 {
				t.Fatalf("%d steps at once", n)
			}
			// The alert itself reached the desk only.
			if got := r.desk.requests(); len(got) != 1 {
				t.Fatalf("desk got %d notifications, want the alert", len(got))
			}
			if len(r.phone.requests())+len(r.second.requests()) != 0 {
				t.Fatal("an escalation-only channel got the alert")
			}
			for i, wait := range []time.Duration{10 * time.Minute, 20 * time.Minute, 40 * time.Minute} {
				r.c.Advance(wait - time.Second)
				if n := r.pass(); n != 0 {
					t.Fatalf("step %d fired %v early", i+1, time.Second)
				}
				r.wantEscalations(i)
				r.c.Advance(time.Second)
				if n := r.pass(); n != 1 {
					t.Fatalf("step %d: %d fired", i+1, n)
				}
				r.wantEscalations(i + 1)
			}
			if _, _, err := r.s.Acknowledge(testHub, r.alarm, "desk", nil); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				r.c.Advance(24 * time.Hour)
				if n := r.pass(); n != 0 {
					t.Fatalf("%d steps after the acknowledgement", n)
				}
			}
			r.wantEscalations(3)
		})
	}
}

// TestEscalationCap: escalate_steps bounds the steps.
func TestEscalationCap(t *testing.T) {
	r := newEscalationRig(t, newClock().Now(), checkin.Escalation{After: time.Minute, Steps: 2})
	r.pass()
	total := 0
	for range 6 {
		r.c.Advance(24 * time.Hour)
		total += r.pass()
	}
	if total != 2 {
		t.Fatalf("%d steps, want the cap of 2", total)
	}
	r.wantEscalations(2)
}

// TestEscalationSurvivesRestarts: a step fired just before a crash (its
// event not yet delivered) is delivered after it, once; a restart neither
// repeats a step nor loses the next one, and every step's outbox event has
// the stable id alarm+step.
func TestEscalationSurvivesRestarts(t *testing.T) {
	r := newEscalationRig(t, newClock().Now(), checkin.Escalation{})
	r.pass()
	r.c.Advance(10 * time.Minute)
	n, _, err := r.sched.EscalateDue(r.c.Now())
	if err != nil || n != 1 {
		t.Fatalf("step 1: %d, %v", n, err)
	}
	ids := func() []string {
		var out []string
		for _, ev := range events(t, r.s) {
			if ev.Type == wire.EventAlarmEscalated {
				out = append(out, ev.ID)
			}
		}
		return out
	}
	if got, want := ids(), []string{store.EscalationEventID(r.alarm, 1)}; !slices.Equal(got, want) {
		t.Fatalf("outbox escalations %v, want %v", got, want)
	}
	r.restart() // before the worker delivered step 1
	if n := r.pass(); n != 0 {
		t.Fatalf("the restart repeated %d steps", n)
	}
	r.wantEscalations(1)
	for range 2 {
		r.restart()
		if n := r.pass(); n != 0 {
			t.Fatalf("the restart repeated %d steps", n)
		}
	}
	// The next step counts from the start-up: late, never lost.
	r.c.Advance(20 * time.Minute)
	if n := r.pass(); n != 1 {
		t.Fatalf("step 2 after restarts: %d fired", n)
	}
	r.wantEscalations(2)
	// A second scheduler on the same store (or a retry) cannot fire a
	// step twice: the store checks the step in the transaction.
	if ok, err := r.s.Escalate(testHub, r.alarm, 2); err != nil || ok {
		t.Fatalf("step 2 again: %v, %v", ok, err)
	}
	if ok, err := r.s.Escalate(testHub, r.alarm, 4); err != nil || ok {
		t.Fatalf("step 4 before 3: %v, %v", ok, err)
	}
}
