package casebook

import (
	"cmp"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/wire"
)

// hubModel is what the desk holds of a hub in memory. The [Book]'s mutex
// guards it.
type hubModel struct {
	entries map[string]*entry
	read    map[string]bool
	alarms  map[string]wire.Alarm
	cursor  string
	work    *hubWork // case records and the hub record (work.go)
	// grouped counts the submissions grouping into cases has visited
	// ([hubModel.casesWith]): the test that a sync's work grows with the
	// hub, not with its square, reads it.
	grouped atomic.Int64
}

func newHubModel() *hubModel {
	return &hubModel{entries: map[string]*entry{}, read: map[string]bool{}, alarms: map[string]wire.Alarm{}, work: newHubWork()}
}

// kase is a case as the model groups it: an opening message and the
// conversation that follows it.
type kase struct {
	hub  string
	root *entry
	msgs []*entry // root first, then in the hub's order
}

// rootOf is the id of the case a submission belongs to: the opening
// message of its conversation when the desk has it, else its own.
func (m *hubModel) rootOf(e *entry) string {
	if t := e.sub.Thread; t != "" && t != e.sub.ID {
		if _, ok := m.entries[t]; ok {
			return t
		}
	}
	return e.sub.ID
}

// cases groups the hub's submissions into cases.
func (m *hubModel) cases(hub string) map[string]*kase {
	out := make(map[string]*kase, len(m.entries))
	for id, e := range m.entries {
		root := m.rootOf(e)
		k := out[root]
		if k == nil {
			k = &kase{hub: hub}
			out[root] = k
		}
		k.msgs = append(k.msgs, e)
		if root == id {
			k.root = e
		}
	}
	for _, k := range out {
		if len(k.msgs) == 1 {
			continue
		}
		slices.SortFunc(k.msgs, func(a, b *entry) int {
			if (a == k.root) != (b == k.root) {
				if a == k.root {
					return -1
				}
				return 1
			}
			return cmp.Or(cmp.Compare(a.sub.Serial, b.sub.Serial), strings.Compare(a.sub.ID, b.sub.ID))
		})
	}
	return out
}

// caseOf returns the case whose opening message is id, or nil.
func (m *hubModel) caseOf(hub, id string) *kase {
	return m.casesWith(hub, map[string]bool{id: true})[id]
}

// casesWith groups into cases, in one pass over the hub's submissions,
// the conversations whose opening messages are roots; a root the desk
// does not hold as an opening message has no case.
func (m *hubModel) casesWith(hub string, roots map[string]bool) map[string]*kase {
	out := make(map[string]*kase, len(roots))
	for id := range roots {
		if e, ok := m.entries[id]; ok && m.rootOf(e) == id {
			out[id] = &kase{hub: hub, root: e}
		}
	}
	if len(out) == 0 {
		return out
	}
	m.grouped.Add(int64(len(m.entries)))
	for _, e := range m.entries {
		if k := out[m.rootOf(e)]; k != nil {
			k.msgs = append(k.msgs, e)
		}
	}
	for _, k := range out {
		slices.SortFunc(k.msgs, func(a, b *entry) int {
			if (a == k.root) != (b == k.root) {
				if a == k.root {
					return -1
				}
				return 1
			}
			return cmp.Or(cmp.Compare(a.sub.Serial, b.sub.Serial), strings.Compare(a.sub.ID, b.sub.ID))
		})
	}
	return out
}

func (k *kase) latest() *entry { return k.msgs[len(k.msgs)-1] }

// category is the report's category id, or "".
func (k *kase) category() string {
	if o := k.root.opened; o != nil && o.Report != nil {
		return o.Report.Category
	}
	return ""
}

// month is the month the case arrived in, YYYY-MM.
func (k *kase) month() string { return monthOf(k.root.sub.Received) }

func monthOf(received string) string {
	if len(received) >= 7 {
		return received[:7]
	}
	return ""
}

func dayString(received string) string {
	if len(received) >= 10 {
		return received[:10]
	}
	return ""
}

// item is the case as a list shows it.
func (k *kase) item(m *hubModel) Item {
	s := k.root.sub
	it := Item{
		Hub: k.hub, ID: s.ID, Kind: s.Kind, Category: k.category(), Status: s.Status,
		Subject: k.root.subject, Month: k.month(), Day: dayString(k.latest().sub.Received),
	}
	for _, e := range k.msgs {
		if !m.read[e.sub.ID] {
			it.Unread = true
		}
		if e != k.root && e.sub.Kind == wire.KindFollowup {
			it.Followups++
		}
	}
	it.Urgent = s.Kind == wire.KindAlert && s.Status != wire.StatusClosed
	m.work.decorate(&it)
	for _, a := range m.alarms {
		if a.State == wire.AlarmOpen && a.Submission == s.ID {
			it.Urgent = true
		}
	}
	return it
}

// maxSubject bounds an item's subject, in runes.
const maxSubject = 120

// subject is the first line of what the defender wrote, shortened.
func subject(e *entry) string {
	o := e.opened
	if o == nil {
		return ""
	}
	s := o.Message
	if r := o.Report; r != nil {
		s = r.Narrative
	}
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if utf8.RuneCountInString(s) > maxSubject {
		r := []rune(s)
		s = string(r[:maxSubject]) + "…"
	}
	return s
}

// newer orders items newest first: by the latest message's hour, then
// the hub's order, then id for a stable order.
func newer(a, b *listed) int {
	return cmp.Or(
		strings.Compare(b.latest.Received, a.latest.Received),
		cmp.Compare(b.latest.Serial, a.latest.Serial),
		strings.Compare(a.item.Hub, b.item.Hub),
		strings.Compare(a.item.ID, b.item.ID))
}

// listed is an item with what orders it.
type listed struct {
	item   Item
	latest wire.Submission
	k      *kase
}

// inboxOrder puts unread cases first, newest first, then the rest,
// newest first.
func inboxOrder(a, b *listed) int {
	if a.item.Unread != b.item.Unread {
		if a.item.Unread {
			return -1
		}
		return 1
	}
	return newer(a, b)
}

// match reports whether a case matches f, status aside.
func (f Filter) matchButStatus(it Item) bool {
	return (f.Hub == "" || it.Hub == f.Hub) &&
		(f.Kind == "" || it.Kind == f.Kind) &&
		(f.Category == "" || it.Category == f.Category) &&
		(f.Month == "" || it.Month == f.Month)
}

func (c *Counts) add(it Item) {
	switch it.Status {
	case wire.StatusNew:
		c.New++
	case wire.StatusInProgress:
		c.InProgress++
	case wire.StatusClosed:
		c.Closed++
	}
	if it.Unread {
		c.Unread++
	}
}

// fields are a report's structured fields, in the order of report.json.
func fields(o *bundle.Opened) []Field {
	if o == nil || o.Report == nil {
		return nil
	}
	r := o.Report
	var out []Field
	for _, f := range []Field{
		{"category", r.Category}, {"when", r.When}, {"where", r.Where},
		{"who", r.Who}, {"needs", r.Needs}, {"contact", r.Contact},
	} {
		if f.Value != "" {
			out = append(out, f)
		}
	}
	if o.Envelope != nil && o.Envelope.Language != "" {
		out = append(out, Field{"language", o.Envelope.Language})
	}
	return out
}

// narrative is what the defender wrote in free text.
func narrative(o *bundle.Opened) string {
	if o == nil {
		return ""
	}
	if o.Report != nil {
		return o.Report.Narrative
	}
	return o.Message
}
