package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"difesa.org/difesa/internal/store"
)

// Defaults of [Options].
const (
	DefaultLifetime  = 24 * time.Hour
	DefaultScan      = time.Minute
	DefaultRetryBase = 15 * time.Second
	DefaultRetryMax  = 30 * time.Minute
)

// Hub is what the worker knows of one hub.
type Hub struct {
	// URL is the hub's address for its responders, put in every
	// notification (e.g. http://….onion/hubs/ID).
	URL string
	// Channels are the hub's [[hub.channel]] settings.
	Channels []ChannelConfig
}

// Options configures [NewWorker].
type Options struct {
	Store *store.Store
	// Hubs by id. Events of hubs not listed here, or without channels, go
	// to the broker only and are then removed from the outbox.
	Hubs   map[string]Hub
	Broker *Broker
	Logger *slog.Logger
	// Now replaces time.Now for scheduling (batch windows, retries,
	// lifetime), for tests. The webhook-timestamp header is always the
	// real time of sending: receivers compare it with their own clock.
	Now func() time.Time
	// Proxy is the default socks5h:// proxy of channels that set none.
	Proxy string
	// Lifetime is how long delivery is tried, from the hour an event was
	// created in (default 24h); then the delivery is marked failed.
	Lifetime time.Duration
	// Scan is how often the outbox is read when nothing wakes the worker
	// (default 1m).
	Scan time.Duration
	// RetryBase is the wait before the first retry (default 15s); each
	// retry waits twice as long, up to RetryMax (default 30m), less a
	// random part of up to half.
	RetryBase, RetryMax time.Duration
	// Timeout bounds each delivery attempt (default 30s).
	Timeout time.Duration
}

// Worker delivers the outbox's events to the hubs' channels. See the
// package documentation for how and why.
type Worker struct {
	store    *store.Store
	hubs     map[string]*hubChannels
	broker   *Broker
	log      *slog.Logger
	now      func() time.Time
	lifetime time.Duration
	scan     time.Duration
	retry    [2]time.Duration
	timeout  time.Duration
	kick     chan struct{}
	inflight sync.WaitGroup
	// waiting, for tests, is called by Run each time it has made a pass
	// and starts waiting for a kick, a timer or the end.
	waiting func()

	mu          sync.Mutex
	urgentTally tally                  // urgent outcomes since the hour began
	published   map[uint64]bool        // events handed to the broker
	due         map[chanKey]time.Time  // when the waiting events of a channel go out
	batches     map[batchKey]*attempts // batches being delivered
}

type hubChannels struct {
	url      string
	channels []*channel
}

type channel struct {
	cfg    ChannelConfig
	sender sender
}

type chanKey struct{ hub, channel string }

type batchKey struct{ hub, channel, id string }

// attempts is a batch's retry state. It is kept in memory only: the store
// never holds a precise time.
type attempts struct {
	n        int
	next     time.Time
	inflight bool
	finished bool
}

// NewWorker checks every hub's channels and returns a worker. Secrets given
// as files are read now (see [ChannelConfig.ReadSecrets]).
func NewWorker(o Options) (*Worker, error) {
	if o.Store == nil {
		return nil, errors.New("notify: no store")
	}
	w := &Worker{
		store: o.Store, broker: o.Broker, log: o.Logger, now: o.Now,
		lifetime: o.Lifetime, scan: o.Scan, retry: [2]time.Duration{o.RetryBase, o.RetryMax}, timeout: o.Timeout,
		hubs:      map[string]*hubChannels{},
		kick:      make(chan struct{}, 1),
		published: map[uint64]bool{},
		due:       map[chanKey]time.Time{},
		batches:   map[batchKey]*attempts{},
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.lifetime == 0 {
		w.lifetime = DefaultLifetime
	}
	if w.scan == 0 {
		w.scan = DefaultScan
	}
	if w.retry[0] == 0 {
		w.retry[0] = DefaultRetryBase
	}
	if w.retry[1] == 0 {
		w.retry[1] = DefaultRetryMax
	}
	if w.timeout == 0 {
		w.timeout = DefaultTimeout
	}
	if o.Proxy != "" {
		if _, err := parseProxy(o.Proxy); err != nil {
			return nil, fmt.Errorf("notify: default proxy: %w", err)
		}
	}
	var errs []error
	for id, h := range o.Hubs {
		if h.URL != "" {
			if err := checkURL(h.URL); err != nil {
				errs = append(errs, fmt.Errorf("hub %s: url: %w", id, err))
			}
		}
		hc := &hubChannels{url: h.URL}
		w.hubs[id] = hc
		if err := ValidateChannels(h.Channels); err != nil {
			errs = append(errs, fmt.Errorf("hub %s: %w", id, err))
			continue
		}
		for _, c := range h.Channels {
			ch, err := newChannel(c, o.Proxy, w.timeout)
			if err != nil {
				errs = append(errs, fmt.Errorf("hub %s: channel %s: %w", id, c.Name, err))
				continue
			}
			hc.channels = append(hc.channels, ch)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return w, nil
}

func newChannel(c ChannelConfig, defaultProxy string, timeout time.Duration) (*channel, error) {
	if err := c.ReadSecrets(""); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	n, err := newNetwork(c, defaultProxy, timeout)
	if err != nil {
		return nil, err
	}
	var s sender
	switch c.Type {
	case TypeWebhook:
		s, err = newWebhook(c, n)
	case TypeNtfy:
		s, err = newNtfy(c, n)
	case TypeEmail:
		s, err = newEmail(c, n)
	}
	if err != nil {
		return nil, err
	}
	return &channel{cfg: c, sender: s}, nil
}

// Kick wakes the worker, so that an urgent event just committed leaves at
// once. It never blocks.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is done, then waits for the attempts under way
// (each bounded by the timeout) and returns.
func (w *Worker) Run(ctx context.Context) error {
	defer w.inflight.Wait()
	hourly := time.NewTimer(untilNextHour(time.Now()))
	defer hourly.Stop()
	for {
		next, err := w.process(ctx)
		if err != nil {
			w.log.Error("notify: outbox", "err", err)
		}
		wait := w.scan
		if !next.IsZero() {
			wait = min(wait, max(next.Sub(w.now()), 0))
		}
		t := time.NewTimer(wait)
		if w.waiting != nil {
			w.waiting()
		}
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-w.kick:
			t.Stop()
			// Let kicks that arrive together share one pass over the
			// outbox: under a burst of submissions each kick would
			// otherwise cost a full read of it.
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(kickCoalesce):
			}
			select {
			case <-w.kick:
			default:
			}
		case <-t.C:
		case <-hourly.C:
			t.Stop()
			w.logUrgentTally()
			hourly.Reset(untilNextHour(time.Now()))
		}
	}
}

// kickCoalesce is how long the worker waits after a kick for more of them.
// It is the floor of an urgent notification's delay, far below the
// one-second goal.
const kickCoalesce = 50 * time.Millisecond

// step is one pass that waits for its deliveries, for tests.
func (w *Worker) step(ctx context.Context) error {
	_, err := w.process(ctx)
	w.inflight.Wait()
	return err
}

// hubURL returns the URL of a hub for its notifications.
func (w *Worker) hubURL(hub string) string {
	if h := w.hubs[hub]; h != nil {
		return h.url
	}
	return ""
}

// eventNotification is what the broker is told of one event.
func eventNotification(ev *store.Event, hubURL string) Notification {
	n := Notification{ID: ev.ID, Hub: ev.Hub, Type: ev.Type, Count: 1, URL: hubURL, Urgent: ev.Urgent}
	if ev.Submission != "" {
		n.Submissions = []string{ev.Submission}
	}
	return n
}
