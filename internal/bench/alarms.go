package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"difesa.org/difesa/internal/checkin"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

// The alarm probe: during the soak (and once before its load starts, the
// baseline), a second hub of the same server gets a few urgent alerts,
// each of which opens an alarm, and the probe measures from each 201 to
// the alert's webhook, and to the alarm's first escalation on an
// escalation-only webhook. Its own hub keeps its escalations apart from
// the soak's alerts; they share the server, its store and its notifier.
const (
	// alarmHubID is the probe's hub.
	alarmHubID = "alarms"
	// alarmEscalateAfter is the probe hub's escalate_after, the shortest
	// allowed.
	alarmEscalateAfter = checkin.MinEscalateAfter
	// alarmProbes alerts are sent alarmProbeEvery apart.
	alarmProbes     = 12
	alarmProbeEvery = 2 * time.Second
)

// alarmWait bounds how long the probe waits for the last escalation: an
// alert's alarm is noticed at the scheduler's next pass (at most
// checkin.MaxSleep later), and escalates alarmEscalateAfter after that.
const alarmWait = alarmEscalateAfter + checkin.MaxSleep + 30*time.Second

// AlarmLatency is what one alarm probe measured, in milliseconds from the
// client reading each alert's 201.
type AlarmLatency struct {
	Alarms int `json:"alarms"`
	// Notified alarms got their alert's webhook; FirstP50ms… is how soon.
	Notified   int     `json:"notified"`
	FirstP50ms float64 `json:"first_notification_p50_ms"`
	FirstP99ms float64 `json:"first_notification_p99_ms"`
	FirstMaxMs float64 `json:"first_notification_max_ms"`
	// Escalated alarms got their first escalation step on the
	// escalation-only webhook; EscP50ms… is how soon, with
	// EscalateAfterMs configured.
	Escalated       int     `json:"escalated"`
	EscalateAfterMs float64 `json:"escalate_after_ms"`
	EscP50ms        float64 `json:"first_escalation_p50_ms"`
	EscP99ms        float64 `json:"first_escalation_p99_ms"`
	EscMaxMs        float64 `json:"first_escalation_max_ms"`
}

// alarmHub returns the TOML of the probe's hub, whose responder is
// recipient, with a webhook for every event (hook, naming submissions)
// and an escalation-only webhook (esc); its manifest is written in dir.
func alarmHub(dir, recipient string, hook, esc *WebhookReceiver) (string, error) {
	admin, err := manifest.GenerateKey()
	if err != nil {
		return "", err
	}
	signed, err := manifest.Sign(admin, []byte(fmt.Sprintf("%s\nhub: %s\nepoch: 1\nissued: 2026-11-23\nprevious: none\nrecipient: %s responder Bench\n",
		manifest.Header, alarmHubID, recipient)))
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, alarmHubID+".manifest.json")
	if err := os.WriteFile(path, signed.Marshal(), 0o600); err != nil {
		return "", err
	}
	return fmt.Sprintf(`
[[hub]]
id = %q
name = "Alarm probe hub"
admin_key = %q
manifest_file = %q
max_submissions_per_hour = 0
escalate_after = %q
escalate_steps = 1

[[hub.channel]]
name = "hook"
type = "webhook"
url = %q
secret = %q
include_submission_id = true

[[hub.channel]]
name = "oncall"
type = "webhook"
url = %q
secret = %q
escalation_only = true
`, alarmHubID, admin.Public().String(), path, alarmEscalateAfter.String(), hook.URL, hook.Secret, esc.URL, esc.Secret), nil
}

// alarmProbe is one run of the probe on the hub at hubURL.
type alarmProbe struct {
	hc        *HubClient
	body      []byte
	hook, esc *WebhookReceiver
}

func newAlarmProbe(ctx context.Context, baseURL string, hook, esc *WebhookReceiver) (*alarmProbe, error) {
	hc, err := NewHubClient(baseURL+"/hubs/"+alarmHubID, 1)
	if err != nil {
		return nil, err
	}
	recips, err := hc.Recipients(ctx)
	if err != nil {
		return nil, fmt.Errorf("bench: unable to read the probe hub's recipients: %w", err)
	}
	pool, err := EncryptPool(1, 512, recips)
	if err != nil {
		return nil, err
	}
	return &alarmProbe{hc: hc, body: pool[0], hook: hook, esc: esc}, nil
}

// run sends alarmProbes alerts and waits, at most alarmWait after the
// last, until each was notified and escalated.
func (a *alarmProbe) run(ctx context.Context, log io.Writer, what string) (AlarmLatency, error) {
	fmt.Fprintf(log, "difesa-bench: alarms (%s): %d urgent alerts, escalate_after %v\n", what, alarmProbes, alarmEscalateAfter)
	hookFrom, escFrom := len(a.hook.Arrivals()), len(a.esc.Arrivals())
	type sentAlarm struct {
		id string
		at time.Time
	}
	var sent []sentAlarm
	for i := range alarmProbes {
		if i > 0 {
			select { // pacing the probe's requests, not waiting for a result
			case <-ctx.Done():
				return AlarmLatency{}, ctx.Err()
			case <-time.After(alarmProbeEvery):
			}
		}
		created, err := a.hc.SubmitKind(ctx, wire.KindAlert, bytes.NewReader(a.body), int64(len(a.body)))
		if err != nil {
			return AlarmLatency{}, fmt.Errorf("bench: alarm probe: %w", err)
		}
		sent = append(sent, sentAlarm{created.ID, time.Now()})
	}
	escalations := func(as []Arrival) []Arrival {
		seen := map[string]bool{}
		var out []Arrival
		for _, x := range as {
			if x.Type == wire.EventAlarmEscalated && !seen[x.ID] { // a repeat has the same id
				seen[x.ID] = true
				out = append(out, x)
			}
		}
		return out
	}
	count := func(as []Arrival) int {
		n := 0
		for _, x := range as {
			n += x.Count
		}
		return n
	}
	wctx, cancel := context.WithTimeout(ctx, alarmWait)
	a.esc.WaitFor(wctx, func(as []Arrival) bool { return count(escalations(as[escFrom:])) >= len(sent) })
	cancel()

	res := AlarmLatency{Alarms: len(sent), EscalateAfterMs: ms(alarmEscalateAfter)}
	firstAt := map[string]time.Time{}
	for _, x := range a.hook.Arrivals()[hookFrom:] {
		for _, sid := range x.Submissions {
			if _, ok := firstAt[sid]; !ok && x.Type == wire.EventAlertReceived {
				firstAt[sid] = x.At
			}
		}
	}
	var first, esc []time.Duration
	for _, s := range sent {
		if at, ok := firstAt[s.id]; ok {
			first = append(first, max(at.Sub(s.at), 0))
		}
	}
	// Escalations name no alarm (they are content-free): alarms escalate
	// in the order they opened, so the i-th alarm counted is the i-th sent.
	i := 0
	for _, x := range escalations(a.esc.Arrivals()[escFrom:]) {
		for range x.Count {
			if i < len(sent) {
				esc = append(esc, max(x.At.Sub(sent[i].at), 0))
			}
			i++
		}
	}
	slices.Sort(first)
	slices.Sort(esc)
	res.Notified, res.Escalated = len(first), len(esc)
	res.FirstP50ms, res.FirstP99ms = ms(percentile(first, 0.50)), ms(percentile(first, 0.99))
	res.EscP50ms, res.EscP99ms = ms(percentile(esc, 0.50)), ms(percentile(esc, 0.99))
	if len(first) > 0 {
		res.FirstMaxMs = ms(first[len(first)-1])
	}
	if len(esc) > 0 {
		res.EscMaxMs = ms(esc[len(esc)-1])
	}
	if res.Notified < res.Alarms || res.Escalated < res.Alarms {
		return res, fmt.Errorf("bench: alarm probe (%s): %d alarms, %d notified, %d escalated within %v", what, res.Alarms, res.Notified, res.Escalated, alarmWait)
	}
	return res, nil
}

// printAlarms prints one probe's line.
func printAlarms(w io.Writer, what string, a *AlarmLatency) {
	if a == nil {
		return
	}
	fmt.Fprintf(w, "  alarms %-9s %d alerts: 201 → first notification p50 %.1f ms, p99 %.1f ms, max %.1f ms; → first escalation (escalate_after %.0f s) p50 %.1f s, p99 %.1f s, max %.1f s (%d of %d)\n",
		what+":", a.Alarms, a.FirstP50ms, a.FirstP99ms, a.FirstMaxMs, a.EscalateAfterMs/1000, a.EscP50ms/1000, a.EscP99ms/1000, a.EscMaxMs/1000, a.Escalated, a.Alarms)
}
