package notify

import (
	"context"
	"crypto/rand"
	"math/big"
	"slices"
	"time"

	"difesa.org/difesa/internal/store"
)

// process reads the outbox once: hands new events to the broker, removes
// finished ones, forms batches whose time has come (persisting their ids
// before anything is sent) and starts the attempts that are due. It returns
// when the worker next has something to do (zero: nothing planned).
func (w *Worker) process(ctx context.Context) (time.Time, error) {
	evs, err := w.store.Events()
	if err != nil {
		return time.Time{}, err
	}
	now := w.now()
	var (
		next      time.Time
		drop      []uint64
		existing  = map[batchKey][]*store.Event{}
		unbatched = map[chanKey][]*store.Event{}
		seen      = map[uint64]bool{}
	)
	later := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}

	w.mu.Lock()
	for _, ev := range evs {
		seen[ev.Seq()] = true
		if !w.published[ev.Seq()] {
			w.broker.Publish(eventNotification(ev, w.hubURL(ev.Hub)))
			w.published[ev.Seq()] = true
		}
		h := w.hubs[ev.Hub]
		if h == nil || len(h.channels) == 0 || h.finished(ev, now) {
			drop = append(drop, ev.Seq())
			continue
		}
		for _, ch := range h.channels {
			if !ch.wants(ev) {
				continue
			}
			d := ev.Deliveries[ch.cfg.Name]
			switch {
			case d != nil && d.State != store.DeliveryPending:
			case d != nil && d.Batch != "":
				k := batchKey{ev.Hub, ch.cfg.Name, d.Batch}
				existing[k] = append(existing[k], ev)
			default:
				k := chanKey{ev.Hub, ch.cfg.Name}
				unbatched[k] = append(unbatched[k], ev)
			}
		}
	}
	for seq := range w.published {
		if !seen[seq] {
			delete(w.published, seq)
		}
	}

	// New batches: urgent events at once, the others when their channel's
	// window ends. Either way, one batch per event type.
	fresh := map[batchKey][]*store.Event{}
	for k, list := range unbatched {
		var urgent, normal []*store.Event
		for _, ev := range list {
			if ev.Urgent {
				urgent = append(urgent, ev)
			} else {
				normal = append(normal, ev)
			}
		}
		addBatches(fresh, k, urgent)
		if len(normal) == 0 {
			continue
		}
		due, ok := w.due[k]
		if !ok {
			due = windowEnd(now, w.hubs[k.hub].channel(k.channel).cfg.window())
			w.due[k] = due
		}
		if now.Before(due) {
			later(due)
			continue
		}
		addBatches(fresh, k, normal)
		delete(w.due, k)
	}
	w.mu.Unlock()

	if len(drop) > 0 {
		if err := w.store.UpdateEvents(drop, func(*store.Event) bool { return true }); err != nil {
			return next, err
		}
	}
	if len(fresh) > 0 {
		if err := w.persistBatches(fresh); err != nil {
			return next, err
		}
		for k, members := range fresh {
			existing[k] = members
		}
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	for k, a := range w.batches {
		if _, ok := existing[k]; !ok && !a.inflight {
			delete(w.batches, k)
		}
	}
	for k, members := range existing {
		a := w.batches[k]
		if a == nil {
			a = &attempts{next: now}
			w.batches[k] = a
		}
		if a.inflight || a.finished {
			continue
		}
		if now.Before(a.next) {
			later(a.next)
			continue
		}
		a.inflight = true
		ch := w.hubs[k.hub].channel(k.channel)
		w.inflight.Add(1)
		go func() {
			defer w.inflight.Done()
			w.deliver(ctx, k, ch, members)
		}()
	}
	return next, nil
}

// addBatches splits events by type into new batches of channel k.
func addBatches(into map[batchKey][]*store.Event, k chanKey, evs []*store.Event) {
	byType := map[string]batchKey{}
	for _, ev := range evs {
		bk, ok := byType[ev.Type]
		if !ok {
			bk = batchKey{k.hub, k.channel, newID()}
			byType[ev.Type] = bk
		}
		into[bk] = append(into[bk], ev)
	}
}

// persistBatches writes each new batch's id into its members' deliveries,
// in one transaction, before the first attempt: retries and restarts then
// resend the same id.
func (w *Worker) persistBatches(fresh map[batchKey][]*store.Event) error {
	assign := map[uint64]map[string]string{} // seq → channel → batch id
	var seqs []uint64
	for k, members := range fresh {
		for _, ev := range members {
			if assign[ev.Seq()] == nil {
				assign[ev.Seq()] = map[string]string{}
				seqs = append(seqs, ev.Seq())
			}
			assign[ev.Seq()][k.channel] = k.id
		}
	}
	slices.Sort(seqs)
	return w.store.UpdateEvents(seqs, func(ev *store.Event) bool {
		if ev.Deliveries == nil {
			ev.Deliveries = map[string]*store.Delivery{}
		}
		for name, id := range assign[ev.Seq()] {
			d := ev.Deliveries[name]
			if d == nil {
				d = &store.Delivery{}
				ev.Deliveries[name] = d
			}
			d.State, d.Batch = store.DeliveryPending, id
		}
		return false
	})
}

// deliver makes one attempt at sending batch k on ch and records the
// outcome in the members' deliveries.
func (w *Worker) deliver(ctx context.Context, k batchKey, ch *channel, members []*store.Event) {
	n := Notification{ID: k.id, Hub: k.hub, Type: members[0].Type, Count: len(members), URL: w.hubURL(k.hub)}
	oldest := members[0].Created
	var seqs []uint64
	for _, ev := range members {
		n.Urgent = n.Urgent || ev.Urgent
		if ch.cfg.IncludeSubmissionID && ev.Submission != "" {
			n.Submissions = append(n.Submissions, ev.Submission)
		}
		if ev.Created.Before(oldest) {
			oldest = ev.Created
		}
		seqs = append(seqs, ev.Seq())
	}
	sctx, cancel := context.WithTimeout(ctx, w.timeout)
	err := ch.sender.send(sctx, n)
	cancel()
	now := w.now()
	gaveUp := err != nil && !now.Before(oldest.Add(w.lifetime))
	h := w.hubs[k.hub]
	uerr := w.store.UpdateEvents(seqs, func(ev *store.Event) bool {
		d := ev.Deliveries[ch.cfg.Name]
		if d == nil || d.Batch != k.id || d.State != store.DeliveryPending {
			return false
		}
		d.Attempts++
		switch {
		case err == nil:
			d.State, d.LastError = store.DeliveryDelivered, ""
		case gaveUp:
			d.State, d.LastError = store.DeliveryFailed, Explain(err)
		default:
			d.LastError = Explain(err)
		}
		return h.finished(ev, now)
	})

	log := w.log.With("hub", k.hub, "channel", ch.cfg.Name, "notification", k.id, "type", n.Type, "count", n.Count)
	w.mu.Lock()
	a := w.batches[k]
	switch {
	case uerr != nil:
		log.Error("notify: unable to record a delivery", "err", uerr)
	case gaveUp:
		// Warned only now, hours after the event: a log line per
		// attempt would time urgent events.
		log.Warn("notify: delivery failed for good", "err", Explain(err), "attempts", a.n+1)
	case n.Urgent:
		// No line now, at any level: an urgent notification leaves at
		// the moment of the alert, and a log line written then is
		// stamped with it by whatever collects the log (journald, a
		// container runtime). Counted, and logged at the hour.
		w.urgentTally.add(k.hub, ch.cfg.Name, err == nil)
	case err == nil:
		// A batch leaves at the end of its window: its time says
		// nothing finer about the events.
		log.Debug("notify: delivered")
	default:
		log.Debug("notify: attempt failed", "err", Explain(err))
	}
	if uerr == nil && (err == nil || gaveUp) {
		// Kept until a pass no longer finds the batch pending, so that a
		// pass that read the outbox before this update does not resend.
		a.finished = true
	} else {
		a.n++
		a.inflight = false
		a.next = now.Add(w.backoff(a.n))
	}
	w.mu.Unlock()
	w.Kick()
}

// backoff returns the wait before retry n (from 1): RetryBase doubled each
// time up to RetryMax, less a random part of up to half, so that many
// batches failing together do not retry together.
func (w *Worker) backoff(n int) time.Duration {
	d := w.retry[0]
	for i := 1; i < n && d < w.retry[1]; i++ {
		d *= 2
	}
	d = min(d, w.retry[1])
	half := int64(d / 2)
	if half <= 0 {
		return d
	}
	r, err := rand.Int(rand.Reader, big.NewInt(half))
	if err != nil {
		return d
	}
	return d - time.Duration(r.Int64())
}

// windowEnd returns the end of the batch window now falls in. Windows are
// aligned on the clock, not on events, so a notification's time says in
// which window something arrived and nothing finer, and restarts do not
// shift them.
func windowEnd(now time.Time, window time.Duration) time.Time {
	return now.Truncate(window).Add(window)
}

// done reports whether every channel of the hub is finished with ev.
// keepFailed is how long an event whose delivery failed for good stays in
// the outbox after it was created, so that `difesad outbox` and the
// metrics show the failure and its last error to the operator. Delivered
// events leave at once.
const keepFailed = 72 * time.Hour

// finished reports whether ev can leave the outbox: every channel is done
// with it, and none failed, or the failure has been on show long enough.
func (h *hubChannels) finished(ev *store.Event, now time.Time) bool {
	failed := false
	for _, ch := range h.channels {
		if !ch.wants(ev) {
			continue
		}
		d := ev.Deliveries[ch.cfg.Name]
		if d == nil || d.State == store.DeliveryPending || d.State == "" {
			return false
		}
		failed = failed || d.State == store.DeliveryFailed
	}
	return !failed || now.Sub(ev.Created) >= keepFailed
}

func (h *hubChannels) channel(name string) *channel {
	for _, ch := range h.channels {
		if ch.cfg.Name == name {
			return ch
		}
	}
	return nil
}

// wants reports whether the channel carries ev: an escalation-only
// channel carries escalations and nothing else.
func (ch *channel) wants(ev *store.Event) bool {
	return ch.cfg.wants(ev.Type)
}
