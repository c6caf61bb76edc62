package notify

import (
	"cmp"
	"slices"
	"time"
)

// tally counts the outcomes of urgent deliveries per hub and channel, to
// be logged once an hour instead of at the moment of each: see
// [Worker.logUrgentTally]. Guarded by the worker's mutex.
type tally map[chanKey]*outcomes

type outcomes struct{ delivered, failed int }

func (t *tally) add(hub, channel string, ok bool) {
	if *t == nil {
		*t = tally{}
	}
	k := chanKey{hub, channel}
	o := (*t)[k]
	if o == nil {
		o = &outcomes{}
		(*t)[k] = o
	}
	if ok {
		o.delivered++
	} else {
		o.failed++
	}
}

// untilNextHour is how long from now until the next whole hour (UTC).
func untilNextHour(now time.Time) time.Duration {
	return now.UTC().Truncate(time.Hour).Add(time.Hour).Sub(now)
}

// logUrgentTally writes, at debug level, one line per hub and channel that
// sent urgent notifications since the last call, with the counts, and
// forgets them. Run calls it at each whole hour, so the lines' time is the
// hour's, not any alert's.
func (w *Worker) logUrgentTally() {
	w.mu.Lock()
	t := w.urgentTally
	w.urgentTally = nil
	w.mu.Unlock()
	keys := make([]chanKey, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b chanKey) int {
		return cmp.Or(cmp.Compare(a.hub, b.hub), cmp.Compare(a.channel, b.channel))
	})
	for _, k := range keys {
		o := t[k]
		w.log.Debug("notify: urgent notifications in the past hour", "hub", k.hub, "channel", k.channel,
			"delivered", o.delivered, "failed_attempts", o.failed)
	}
}
