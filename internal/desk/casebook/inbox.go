package casebook

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"difesa.org/difesa/internal/wire"
)

// Page limits.
const (
	defaultLimit = 50
	maxLimit     = 500
	// maxQuery bounds a search query, in bytes.
	maxQuery = 1 << 10
)

// Inbox lists the cases that match f: unread ones first, newest first,
// then the rest, newest first; with the hubs' alarms, open ones first.
func (b *Book) Inbox(f Filter) (Page, error) { return b.list(f, false) }

// Search is [Book.Inbox] narrowed to the cases one of whose messages has,
// for every word of f.Query, a word that starts with it. An empty query
// matches nothing.
func (b *Book) Search(f Filter) (Page, error) { return b.list(f, true) }

func (b *Book) list(f Filter, search bool) (Page, error) {
	if f.Offset < 0 || f.Limit < 0 {
		return Page{}, fmt.Errorf("casebook: unable to list: negative offset or limit")
	}
	if len(f.Query) > maxQuery {
		return Page{}, fmt.Errorf("casebook: unable to search: the query is longer than %d bytes", maxQuery)
	}
	if f.Limit == 0 {
		f.Limit = defaultLimit
	}
	f.Limit = min(f.Limit, maxLimit)
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return Page{}, ErrClosed
	}
	var hits map[string]bool
	if search {
		hits = b.idx.search(f.Query)
		if len(hits) == 0 {
			return Page{Alarms: []Alarm{}, Items: []Item{}}, nil
		}
	}
	var all []Item
	var p Page
	day := today(b.now())
	me := make(map[string]string, len(b.hubs))
	for _, h := range b.hubs {
		me[h.id] = b.models[h.id].work.me
	}
	for _, r := range b.rowsLocked() {
		if f.Hub != "" && f.Hub != r.item.Hub {
			continue
		}
		if hits != nil && !r.k.anyHit(r.item.Hub, hits) {
			continue
		}
		if !f.matchButStatus(r.item) {
			continue
		}
		it := r.item
		it.Due = dueOn(it.FollowUp, day)
		if !f.matchWork(it, me[it.Hub]) {
			continue
		}
		p.Counts.add(it)
		p.Counts.addDue(it)
		if f.Status != "" && it.Status != f.Status {
			continue
		}
		all = append(all, it)
	}
	if !search {
		for _, h := range b.hubs {
			if f.Hub == "" || f.Hub == h.id {
				p.Alarms = append(p.Alarms, alarmsOf(h.id, b.models[h.id], f)...)
			}
		}
	}
	slices.SortFunc(p.Alarms, alarmOrder)
	p.Total = len(all)
	p.Items = []Item{}
	for i := f.Offset; i < len(all) && i < f.Offset+f.Limit; i++ {
		p.Items = append(p.Items, all[i])
	}
	if p.Alarms == nil {
		p.Alarms = []Alarm{}
	}
	for _, h := range b.hubs {
		if f.Hub == "" || f.Hub == h.id {
			p.Restricted += h.restr.restricted
			p.Unreadable += h.restr.unreadable
		}
	}
	return p, nil
}

// rowsLocked returns every case of every hub in inbox order, from a
// cache kept until the model changes. The caller holds b.mu (for reading
// at least).
func (b *Book) rowsLocked() []*listed {
	b.cacheMu.Lock()
	defer b.cacheMu.Unlock()
	if b.cache != nil && b.cacheGen == b.gen {
		return b.cache
	}
	var rows []*listed
	for _, h := range b.hubs {
		m := b.models[h.id]
		for _, k := range m.cases(h.id) {
			if k.root == nil {
				continue // never: a root is always its own case
			}
			rows = append(rows, &listed{item: k.item(m), latest: k.latest().sub, k: k})
		}
	}
	slices.SortFunc(rows, inboxOrder)
	b.cache, b.cacheGen = rows, b.gen
	return rows
}

// anyHit reports whether a message of k is in hits.
func (k *kase) anyHit(hub string, hits map[string]bool) bool {
	for _, e := range k.msgs {
		if hits[hub+"/"+e.sub.ID] {
			return true
		}
	}
	return false
}

// alarmsOf are the hub's alarms, narrowed by the filter's kind (an alarm
// kind) when it names one.
func alarmsOf(hub string, m *hubModel, f Filter) []Alarm {
	var out []Alarm
	for _, a := range m.alarms {
		if f.Kind != "" && f.Kind != "alarm" && f.Kind != a.Kind && f.Kind != wire.KindCheckin && f.Kind != wire.KindAlert {
			continue
		}
		out = append(out, alarmOf(hub, a))
	}
	return out
}

func alarmOf(hub string, a wire.Alarm) Alarm {
	marks := make([]string, 0, len(a.Marks)+1)
	for _, mk := range a.Marks {
		marks = append(marks, mk.Mark+" "+coarseString(mk.Hour))
	}
	if a.State == wire.AlarmAcknowledged {
		marks = append(marks, "acknowledged "+coarseString(a.Acknowledged)+" by "+a.By)
	}
	return Alarm{
		Hub: hub, ID: a.ID, Kind: a.Kind, Submission: a.Submission,
		Opened: coarseString(a.Opened), Marks: marks, Open: a.State == wire.AlarmOpen,
	}
}

// coarseString turns the hub's RFC 3339 hour into the desk's
// "2006-01-02 15:00"; anything else is returned as it is.
func coarseString(s string) string {
	t := receivedTime(s)
	if t.IsZero() {
		return s
	}
	return coarseHour(t)
}

// alarmOrder puts open alarms first, newest first.
func alarmOrder(a, b Alarm) int {
	if a.Open != b.Open {
		if a.Open {
			return -1
		}
		return 1
	}
	return cmp.Or(strings.Compare(b.Opened, a.Opened), strings.Compare(a.Hub, b.Hub), strings.Compare(a.ID, b.ID))
}
