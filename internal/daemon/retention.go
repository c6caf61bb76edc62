package daemon

import (
	"context"
	"log/slog"
	"time"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// retentionPolicy is one hub's retention settings (zero: off).
type retentionPolicy struct {
	hub                      string
	deleteClosed, warnUnread time.Duration
}

// retention deletes old closed submissions and warns about old unread
// ones, once an hour. Its logs carry hubs and counts, never ids.
//
// Responders hear of unread ones too: once a day, a content-free
// notification event per submission still new after warn_unread_after,
// which the hub's channels batch into one message with the count. The day
// is counted in memory: a restart may send one reminder early.
type retention struct {
	store    *store.Store
	policies []retentionPolicy
	log      *slog.Logger
	now      func() time.Time
	every    time.Duration
	notifier interface{ Kick() }
	reminded map[string]time.Time // hub → last reminder
}

// remindEvery is how often responders are reminded of unread submissions.
const remindEvery = 24 * time.Hour

func newRetention(cfg *config.Config, st *store.Store, log *slog.Logger) *retention {
	r := &retention{store: st, log: log, now: time.Now, every: time.Hour, reminded: map[string]time.Time{}}
	for _, h := range cfg.Hubs {
		p := retentionPolicy{hub: h.ID, deleteClosed: time.Duration(h.DeleteClosedAfter), warnUnread: time.Duration(h.WarnUnreadAfter)}
		if p.deleteClosed > 0 || p.warnUnread > 0 {
			r.policies = append(r.policies, p)
		}
	}
	return r
}

// Run applies the policies now and then every hour until ctx ends.
func (r *retention) Run(ctx context.Context) {
	if len(r.policies) == 0 {
		return
	}
	t := time.NewTicker(r.every)
	defer t.Stop()
	for {
		r.runOnce()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runOnce applies every hub's policy at r.now().
func (r *retention) runOnce() {
	now := r.now()
	for _, p := range r.policies {
		deleted := 0
		var unread []store.Event
		err := r.store.EachSubmission(p.hub, func(sub store.Submission) error {
			// Received is rounded down (to the hour or coarser): ages
			// count from there.
			age := now.Sub(sub.Received)
			if p.deleteClosed > 0 && sub.Status == store.StatusClosed && age > p.deleteClosed {
				ok, err := r.store.DeleteExpired(p.hub, sub.ID, now.Add(-p.deleteClosed))
				if err != nil {
					// The error names the id: keep it out of the log.
					r.log.Error("retention: unable to delete a closed submission", "hub", p.hub)
					return nil
				}
				if ok {
					deleted++
				}
			}
			if p.warnUnread > 0 && sub.Status == wire.StatusNew && age > p.warnUnread {
				unread = append(unread, store.Event{Hub: p.hub, Type: wire.EventSubmissionUnread, Submission: sub.ID.String()})
			}
			return nil
		})
		if err != nil {
			r.log.Error("retention: unable to list submissions", "hub", p.hub, "err", err)
			continue
		}
		if deleted > 0 {
			r.log.Info("retention: deleted closed submissions", "hub", p.hub, "count", deleted, "older_than", p.deleteClosed.String())
		}
		if len(unread) > 0 {
			r.log.Warn("retention: submissions still unread", "hub", p.hub, "count", len(unread), "older_than", p.warnUnread.String())
			r.remind(p.hub, unread, now)
		}
	}
}

// remind adds the unread submissions' events to the outbox, once a day
// per hub: at the pass a day after the last reminder. Passes come every
// r.every, each a little late after its tick, by a different amount; so a
// day counts as remindEvery less half a pass, or the reminder would slip
// a pass later whenever the pass a day on read the clock a moment earlier
// in its hour than the reminding one.
func (r *retention) remind(hub string, events []store.Event, now time.Time) {
	if last, ok := r.reminded[hub]; ok && now.Sub(last) < remindEvery-r.every/2 {
		return
	}
	if err := r.store.AddEvents(events); err != nil {
		r.log.Error("retention: unable to remind responders of unread submissions", "hub", hub, "err", err)
		return
	}
	r.reminded[hub] = now
	if r.notifier != nil {
		r.notifier.Kick()
	}
}
