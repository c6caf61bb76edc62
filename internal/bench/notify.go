package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

// Goals of the notification runs.
const (
	// goalAlertP99 bounds the time from an urgent alert's 201 to its
	// webhook arriving.
	goalAlertP99 = time.Second
	// goalNotifyRatio is the least ingest throughput with a webhook
	// channel, relative to the same hub without channels.
	goalNotifyRatio = 0.9
)

// NotifyResult is what the notification runs measured.
type NotifyResult struct {
	// Alerts were sent, and Delivered of them reached the webhook, in
	// Notifications requests. Latencies run from the client reading the
	// 201 to the webhook arriving (0 when it arrived first).
	Alerts        int     `json:"alerts"`
	Delivered     int     `json:"delivered"`
	Notifications int     `json:"notifications"`
	P50ms         float64 `json:"alert_webhook_p50_ms"`
	P99ms         float64 `json:"alert_webhook_p99_ms"`
	MaxMs         float64 `json:"alert_webhook_max_ms"`
	// Off and On are the small-submission runs without channels and with
	// a webhook channel; Ratio is On/Off.
	Off   *LoadResult `json:"ingest_without_channels,omitempty"`
	On    *LoadResult `json:"ingest_with_webhook,omitempty"`
	Ratio float64     `json:"ratio_with_to_without,omitempty"`
}

// notifyHub writes, in dir, a hub "bench" whose responder is recipient,
// on a server without proof of work and a hub without a cap on
// submissions an hour, with the extra TOML (a [[hub.channel]]) appended,
// and returns the configuration file.
func notifyHub(dir, recipient, extra string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	admin, err := manifest.GenerateKey()
	if err != nil {
		return "", err
	}
	signed, err := manifest.Sign(admin, []byte(fmt.Sprintf("%s\nhub: bench\nepoch: 1\nissued: 2026-11-23\nprevious: none\nrecipient: %s responder Bench\n",
		manifest.Header, recipient)))
	if err != nil {
		return "", err
	}
	manifestPath := filepath.Join(dir, "bench.manifest.json")
	if err := os.WriteFile(manifestPath, signed.Marshal(), 0o600); err != nil {
		return "", err
	}
	cfgPath := filepath.Join(dir, "difesad.toml")
	// Neither proof of work under load nor a cap on submissions an hour:
	// a benchmark sends thousands a minute, without solving puzzles.
	cfg := fmt.Sprintf("log_level = \"warn\"\npow_max_bits = 0\n\n[[hub]]\nid = \"bench\"\nname = \"Benchmark hub\"\nadmin_key = %q\nmanifest_file = %q\nmax_submissions_per_hour = 0\n%s",
		admin.Public().String(), manifestPath, extra)
	return cfgPath, os.WriteFile(cfgPath, []byte(cfg), 0o600)
}

// webhookChannel is a [[hub.channel]] pointing at recv.
func webhookChannel(recv *WebhookReceiver, withSubmissionIDs bool) string {
	return fmt.Sprintf("\n[[hub.channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = %q\nsecret = %q\ninclude_submission_id = %t\n",
		recv.URL, recv.Secret, withSubmissionIDs)
}

// notify measures how soon an urgent alert's webhook arrives, and what a
// webhook channel costs ingest throughput.
func (r *runner) notify(ctx context.Context, res *Results, alerts, size int, lo LoadOptions) error {
	fmt.Fprintf(r.log, "difesa-bench: notifications: %d urgent alerts to a loopback webhook\n", alerts)
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		return err
	}
	recv, err := NewWebhookReceiver(nil)
	if err != nil {
		return err
	}
	defer recv.Close()
	nr := &NotifyResult{}
	res.Notify = nr
	if err := r.alertLatency(ctx, nr, id.Recipient().String(), recv, alerts, size); err != nil {
		return err
	}
	if len(recv.Refused()) > 0 {
		return fmt.Errorf("the receiver refused notifications: %s", recv.Refused()[0])
	}

	fmt.Fprintf(r.log, "difesa-bench: notifications: ingest with and without a webhook channel\n")
	offCfg, err := notifyHub(filepath.Join(r.work, "notify-off"), id.Recipient().String(), "")
	if err != nil {
		return err
	}
	onCfg, err := notifyHub(filepath.Join(r.work, "notify-on"), id.Recipient().String(), webhookChannel(recv, false))
	if err != nil {
		return err
	}
	off, err := r.start("-serve", "-config", offCfg, "-data", filepath.Join(r.work, "notify-off", "data"))
	if err != nil {
		return err
	}
	defer off.Stop(30 * time.Second)
	on, err := r.start("-serve", "-config", onCfg, "-data", filepath.Join(r.work, "notify-on", "data"))
	if err != nil {
		return err
	}
	defer on.Stop(30 * time.Second)
	send := func(p *Process) (func(context.Context, []byte) error, []age.Recipient, error) {
		hc, err := NewHubClient(p.HubURL, lo.Concurrency)
		if err != nil {
			return nil, nil, err
		}
		recips, err := hc.Recipients(ctx)
		return func(ctx context.Context, body []byte) error {
			_, err := hc.Submit(ctx, bytes.NewReader(body), int64(len(body)))
			return err
		}, recips, err
	}
	sendOff, recips, err := send(off)
	if err != nil {
		return err
	}
	sendOn, _, err := send(on)
	if err != nil {
		return err
	}
	pool, err := EncryptPool(256, size, recips)
	if err != nil {
		return err
	}
	o, w, ratio := r.compare(ctx, pool, lo, "run without channels", sendOff, "run with a webhook channel", sendOn)
	nr.Off, nr.On, nr.Ratio = &o, &w, ratio
	if err := on.Stop(30 * time.Second); err != nil {
		return err
	}
	return off.Stop(30 * time.Second)
}

// alertLatency sends alerts from a few clients, a little apart, and
// measures from each 201 to the webhook that names its submission.
func (r *runner) alertLatency(ctx context.Context, nr *NotifyResult, recipient string, recv *WebhookReceiver, alerts, size int) error {
	const clients = 4
	cfg, err := notifyHub(filepath.Join(r.work, "notify-alerts"), recipient, webhookChannel(recv, true))
	if err != nil {
		return err
	}
	p, err := r.start("-serve", "-config", cfg, "-data", filepath.Join(r.work, "notify-alerts", "data"))
	if err != nil {
		return err
	}
	defer p.Stop(30 * time.Second)
	hc, err := NewHubClient(p.HubURL, clients)
	if err != nil {
		return err
	}
	recips, err := hc.Recipients(ctx)
	if err != nil {
		return err
	}
	pool, err := EncryptPool(64, size, recips)
	if err != nil {
		return err
	}
	var (
		mu      sync.Mutex
		created = map[string]time.Time{} // submission id → when its 201 was read
		first   error
		wg      sync.WaitGroup
	)
	for c := range clients {
		wg.Go(func() {
			for i := c; i < alerts && ctx.Err() == nil; i += clients {
				body := pool[i%len(pool)]
				sub, err := hc.SubmitKind(ctx, wire.KindAlert, bytes.NewReader(body), int64(len(body)))
				at := time.Now()
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				if err == nil {
					created[sub.ID] = at
				}
				mu.Unlock()
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	nr.Alerts = len(created)
	if first != nil {
		return fmt.Errorf("sending alerts: %w", first)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	recv.WaitFor(wctx, func(as []Arrival) bool {
		n := 0
		for _, a := range as {
			n += len(a.Submissions)
		}
		return n >= len(created)
	})
	var lat []time.Duration
	arrivals := recv.Arrivals()
	nr.Notifications = len(arrivals)
	for _, a := range arrivals {
		for _, sid := range a.Submissions {
			t, ok := created[sid]
			if !ok {
				continue
			}
			delete(created, sid)
			lat = append(lat, max(a.At.Sub(t), 0))
		}
	}
	nr.Delivered = len(lat)
	slices.Sort(lat)
	nr.P50ms, nr.P99ms = ms(percentile(lat, 0.50)), ms(percentile(lat, 0.99))
	if len(lat) > 0 {
		nr.MaxMs = ms(lat[len(lat)-1])
	}
	return p.Stop(30 * time.Second)
}
