package daemon_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bench"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

// escalationRig runs the test binary as difesad, on a clock the test
// sets, with a hub whose alarms escalate after a minute (three steps),
// a real webhook (every event) and a real ntfy-compatible receiver (an
// escalation-only channel) on loopback.
type escalationRig struct {
	t        *testing.T
	exe      string
	cfg      string
	data     string
	clock    *childClock
	identity *age.HybridIdentity
	hook     *bench.WebhookReceiver
	phone    *bench.NtfyReceiver
	p        *bench.Process
	// poll, if set, bounds the child's timers in real time (clockPollEnv).
	poll time.Duration
}

func newEscalationRig(t *testing.T, start time.Time) *escalationRig {
	t.Helper()
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs SIGKILL and child processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r := &escalationRig{t: t, exe: exe, clock: newChildClock(t, start)}
	if r.hook, err = bench.NewWebhookReceiver(nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.hook.Close() })
	if r.phone, err = bench.NewNtfyReceiver(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.phone.Close() })
	if r.identity, err = age.GenerateHybridIdentity(); err != nil {
		t.Fatal(err)
	}
	h := testserver.NewHub(t, "esc", r.identity.Recipient().String())
	dir := t.TempDir()
	r.cfg, r.data = filepath.Join(dir, "difesad.toml"), filepath.Join(dir, "data")
	cfg := fmt.Sprintf(`log_level = "error"
pow_max_bits = 0

[[hub]]
id = "esc"
name = "Escalation hub"
admin_key = %q
manifest_file = %q
escalate_after = "1m"
escalate_steps = 3

[[hub.channel]]
name = "desk"
type = "webhook"
url = %q
secret = %q

[[hub.channel]]
name = "oncall"
type = "ntfy"
server = %q
topic = "difesa-oncall"
escalation_only = true
`, h.Config.AdminKey, h.Config.ManifestFile, r.hook.URL, r.hook.Secret, r.phone.URL)
	if err := os.WriteFile(r.cfg, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r.p != nil {
			r.p.Kill()
		}
	})
	return r
}

// start runs difesad on the rig's data and clock, and waits for its
// check-in scheduler's first pass (which notes when it saw each open
// alarm: the next step counts from there).
func (r *escalationRig) start() *client.Client {
	r.t.Helper()
	r.clock.ResetPasses()
	cmd := exec.Command(r.exe, "-config", r.cfg, "-listen", "127.0.0.1:0", "-data", r.data)
	cmd.Env = append(os.Environ(), "DIFESA_TEST_SERVE=1", "DIFESA_CONFIG=", "DIFESA_LISTEN=", "DIFESA_DATA=", r.clock.Env())
	if r.poll > 0 {
		cmd.Env = append(cmd.Env, clockPollEnv+"="+r.poll.String())
	}
	p, err := bench.StartProcess(cmd)
	if err != nil {
		r.t.Fatal(err)
	}
	r.p = p
	r.clock.WaitPasses(1)
	c, err := client.New(p.HubURL, client.Options{})
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

// kill ends difesad with SIGKILL.
func (r *escalationRig) kill() {
	r.p.Kill()
	r.p = nil
}

// arm starts a check-in timer (every hour, no grace) with codes nobody
// knows, and returns its deadline.
func (r *escalationRig) arm(c *client.Client, name string) time.Time {
	r.t.Helper()
	d, err := r.armCodes(c, client.CheckinVerifier(name+"-code"), client.CheckinVerifier(name+"-duress"))
	if err != nil {
		r.t.Fatal(err)
	}
	return d
}

// armCodes starts a check-in timer (every hour, no grace) whose codes
// have the verifiers code and duress, and returns its deadline.
func (r *escalationRig) armCodes(c *client.Client, code, duress [32]byte) (time.Time, error) {
	r.t.Helper()
	ctx := context.Background()
	hc, err := bench.NewHubClient(r.p.HubURL, 1)
	if err != nil {
		r.t.Fatal(err)
	}
	recips, err := hc.Recipients(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, recips...)
	if err != nil {
		r.t.Fatal(err)
	}
	io.WriteString(w, "call the lawyer")
	if err := w.Close(); err != nil {
		r.t.Fatal(err)
	}
	armed, err := c.ArmCheckin(ctx, client.Checkin{Every: time.Hour, Code: code, Duress: duress}, &buf)
	if err != nil {
		return time.Time{}, err
	}
	return time.Parse(time.RFC3339, armed.Deadline)
}

// waitHook waits, at most 20 s, until the webhook got what cond wants.
func (r *escalationRig) waitHook(what string, cond func([]bench.Arrival) bool) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.hook.WaitFor(ctx, cond); err != nil {
		r.t.Fatalf("waiting for %s at the webhook: %v; got %+v\n%s", what, err, r.hook.Arrivals(), r.stderr())
	}
}

// waitPhone waits, at most 20 s, until the ntfy receiver got n messages.
func (r *escalationRig) waitPhone(n int) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.phone.WaitFor(ctx, func(ps []bench.NtfyPost) bool { return len(ps) >= n }); err != nil {
		r.t.Fatalf("waiting for %d ntfy messages: %v; got %+v\n%s", n, err, r.phone.Posts(), r.stderr())
	}
}

func (r *escalationRig) stderr() string {
	if r.p == nil {
		return ""
	}
	return r.p.Stderr()
}

// ofType returns the arrivals of type typ.
func ofType(as []bench.Arrival, typ string) []bench.Arrival {
	var out []bench.Arrival
	for _, a := range as {
		if a.Type == typ {
			out = append(out, a)
		}
	}
	return out
}

// distinct returns the ids of as in order of first arrival, and how many
// times each came.
func distinct(as []bench.Arrival) ([]string, map[string]int) {
	var ids []string
	n := map[string]int{}
	for _, a := range as {
		if n[a.ID] == 0 {
			ids = append(ids, a.ID)
		}
		n[a.ID]++
	}
	return ids, n
}

// TestCrashEscalation: a real difesad, a check-in timer that runs out, a
// SIGKILL after the alarm's first notification and before its first
// escalation step, a restart. Then:
//
//   - step 1 arrives once at the webhook and at the ntfy phone, a minute
//     (of the injected clock) after the restart: late, never lost;
//   - the server is killed while step 2 is being delivered (both
//     receivers hold the request unanswered, so the delivery cannot have
//     been recorded): after the restart, step 2 is delivered again, with
//     the same webhook id, and is not counted as a new step. That is the
//     guarantee: each step is created once (in the transaction that
//     advances the alarm), delivered at least once, and a repeat carries
//     the step's id; ntfy messages have no id, so there the repeat is a
//     second identical message;
//   - after the acknowledgement, nothing more escalates, however late it
//     gets (a second timer's alarm, fired an hour later, proves the
//     scheduler looked).
//
// Receivers that dedupe by webhook id see exactly: one missed check-in,
// step 1, step 2, the second timer's missed check-in.
func TestCrashEscalation(t *testing.T) {
	r := newEscalationRig(t, time.Date(2026, 11, 23, 10, 17, 0, 0, time.UTC))
	r.poll = 20 * time.Millisecond // it moves the clock without waiting for passes
	c := r.start()
	deadline := r.arm(c, "first")

	// The deadline passes: the alarm opens and its first notification
	// goes out.
	r.clock.Set(deadline.Add(time.Second))
	r.waitHook("the missed check-in", func(as []bench.Arrival) bool { return len(ofType(as, wire.EventCheckinMissed)) > 0 })
	r.kill() // the alarm open, no step yet

	// Down for five minutes, past step 1's time: it comes a minute after
	// the start-up.
	r.clock.Advance(5 * time.Minute)
	r.start()
	r.clock.Advance(time.Minute)
	r.waitHook("step 1", func(as []bench.Arrival) bool { return len(ofType(as, wire.EventAlarmEscalated)) == 1 })
	r.waitPhone(1)

	// Step 2, held by both receivers, and a SIGKILL while they hold it.
	r.hook.Hold(func(a bench.Arrival) bool { return a.Type == wire.EventAlarmEscalated })
	r.phone.Hold(func(bench.NtfyPost) bool { return true })
	r.clock.Advance(2 * time.Minute)
	r.waitHook("step 2", func(as []bench.Arrival) bool { return len(ofType(as, wire.EventAlarmEscalated)) == 2 })
	r.waitPhone(2)
	r.kill()
	r.hook.Hold(nil)
	r.phone.Hold(nil)
	held := ofType(r.hook.Arrivals(), wire.EventAlarmEscalated)[1].ID

	c = r.start()
	r.waitHook("step 2 again", func(as []bench.Arrival) bool {
		_, n := distinct(ofType(as, wire.EventAlarmEscalated))
		return n[held] == 2
	})
	r.waitPhone(3)

	// The acknowledgement; then an hour later, a second timer's alarm.
	ctx := context.Background()
	if err := c.Login(ctx, r.identity); err != nil {
		t.Fatal(err)
	}
	alarms, err := c.Alarms(ctx)
	if err != nil || len(alarms) != 1 {
		t.Fatalf("alarms %+v, %v", alarms, err)
	}
	first := alarms[0].ID
	if _, err := c.Ack(ctx, first, nil); err != nil {
		t.Fatal(err)
	}
	second := r.arm(c, "second")
	r.clock.Set(second.Add(time.Second))
	r.waitHook("the second missed check-in", func(as []bench.Arrival) bool {
		// By distinct id: the first alarm's notification may arrive a
		// second time (the kill right after it), which is not this one.
		ids, _ := distinct(ofType(as, wire.EventCheckinMissed))
		return len(ids) > 1
	})
	if err := r.p.Stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	r.p = nil

	// What the receivers got, deduplicated by id.
	arrivals := r.hook.Arrivals()
	ids, n := distinct(arrivals)
	var types []string
	for _, id := range ids {
		for _, a := range arrivals {
			if a.ID == id {
				types = append(types, a.Type)
				if a.Hub != "esc" || !a.Urgent || a.Count != 1 || len(a.Submissions) != 0 {
					t.Errorf("notification %+v", a)
				}
				break
			}
		}
	}
	want := []string{wire.EventCheckinMissed, wire.EventAlarmEscalated, wire.EventAlarmEscalated, wire.EventCheckinMissed}
	if strings.Join(types, " ") != strings.Join(want, " ") {
		t.Fatalf("the webhook got, by distinct id, %v; want %v", types, want)
	}
	// A repeat is allowed only where a kill may have come between the
	// delivery and its record: the first missed check-in (killed just
	// after it arrived) at most once more, step 2 (killed while held)
	// exactly once more. Step 1 and the second alarm: never.
	if n[ids[0]] > 2 || n[ids[1]] != 1 || n[ids[2]] != 2 || n[ids[3]] != 1 {
		t.Errorf("arrivals per id %v for %v", n, ids)
	}
	if bad := r.hook.Refused(); len(bad) > 0 {
		t.Errorf("the webhook refused %v", bad)
	}
	posts := r.phone.Posts()
	if len(posts) != 3 {
		t.Errorf("the ntfy phone got %d messages (step 1, step 2 held, step 2 again), want 3: %+v", len(posts), posts)
	}
	for _, p := range posts {
		if p.Topic != "difesa-oncall" || p.Priority != "5" || !strings.Contains(p.Title, "acknowledged") ||
			strings.Contains(p.Title+p.Body+p.Click, first) {
			t.Errorf("ntfy message %+v", p)
		}
	}

	// The store agrees: the first alarm stopped at step 2, acknowledged;
	// the second is open at step 0; the outbox is empty.
	st, err := store.Open(filepath.Join(r.data, daemon.DatabaseFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	list, err := st.Alarms("esc")
	if err != nil || len(list) != 2 {
		t.Fatalf("alarms %+v, %v", list, err)
	}
	for _, a := range list {
		switch {
		case a.ID.String() == first:
			if a.State == store.AlarmOpen || a.Escalated != 2 {
				t.Errorf("the acknowledged alarm: %+v", a)
			}
		case a.State != store.AlarmOpen || a.Escalated != 0:
			t.Errorf("the second alarm: %+v", a)
		}
	}
	if evs, err := st.Events(); err != nil || len(evs) != 0 {
		t.Errorf("outbox after a clean stop: %+v, %v", evs, err)
	}
}

// TestAlertEscalatesOnTime: an urgent alert's alarm escalates
// escalate_after after the alert, not up to a minute later: the upload
// has the check-in scheduler look at once (as a check-in does), so the
// step counts from the alarm. Without that, an idle server noticed the
// alarm only at its next pass, up to a minute later.
func TestAlertEscalatesOnTime(t *testing.T) {
	r := newEscalationRig(t, time.Date(2026, 11, 23, 10, 17, 0, 0, time.UTC))
	// The scheduler's idle sleep (a minute) is as long as escalate_after:
	// without a bound in real time, a pass that began before the alarm
	// was stored could be the last one before the clock moves, and the
	// alarm would first be seen a minute late. With it, passes keep
	// coming while the clock stands still.
	r.poll = 20 * time.Millisecond
	r.start()
	hc, err := bench.NewHubClient(r.p.HubURL, 1)
	if err != nil {
		t.Fatal(err)
	}
	recips, err := hc.Recipients(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	body, _, err := encryptFor(recips, 1, 64)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hc.SubmitKind(context.Background(), wire.KindAlert, bytes.NewReader(body), int64(len(body))); err != nil {
		t.Fatal(err)
	}
	// The first pass after this read may have begun before the alarm was
	// stored; the second began after it, at the same instant.
	r.clock.WaitPasses(r.clock.Passes() + 2)
	r.clock.Advance(time.Minute) // escalate_after
	// The alert's own notification and the escalation travel separately:
	// either may arrive first.
	r.waitHook("step 1 and the alert", func(as []bench.Arrival) bool {
		return len(ofType(as, wire.EventAlarmEscalated)) == 1 && len(ofType(as, wire.EventAlertReceived)) > 0
	})
	if got := ofType(r.hook.Arrivals(), wire.EventAlertReceived); len(got) != 1 {
		t.Errorf("alert notifications %+v", got)
	}
}
