package casebook

import (
	"slices"
	"strings"
	"time"

	"difesa.org/difesa/internal/caserecord"
)

// Assignee filters with a meaning of their own ([Filter.Assignee]).
const (
	AssigneeMine = "mine"
	AssigneeNone = "unassigned"
)

// Due values of an [Item].
const (
	DueToday   = "today"
	DueOverdue = "overdue"
)

// Work is the case work of a case: its case record, as colleagues share
// it, and what the hub lets it use.
type Work struct {
	// Version is the record's version at the hub (0: no record yet).
	Version                       uint64
	Assignee, SubStatus, FollowUp string
	Labels                        []string
	Links                         []Link
	// Notes are the internal notes, oldest first; History the changes
	// of the assignee, sub-status and follow-up day, oldest first.
	Notes   []Note
	History []HistoryEntry
	// Err says why the hub's copy of the record could not be read.
	Err string
	// Settings are the hub's labels, sub-statuses and responders;
	// Addable the hub's labels the case does not have.
	Settings Settings
	Addable  []string
}

// Link is a link to a related case (Kind is a caserecord link kind).
type Link struct {
	Kind, Target string
	// Known is set when the desk holds the target as a case.
	Known bool
}

// Note is an internal note: its author's label, the hour it was written
// ("2006-01-02 15:00" UTC), its text.
type Note struct {
	ID, Author, Hour, Text, Attachment string
}

// HistoryEntry is one change of a single-valued field (Field is
// "assignee", "sub_status" or "follow_up"), by Author, to the hour.
type HistoryEntry struct {
	Author, Hour, Field, Old, New string
}

// Settings are a hub's case settings: its label set and sub-statuses
// (the hub record), its responders' labels, and the responder's own
// ("" when the hub's recipient list has not been verified, or gives the
// responder's key no label: the desk cannot write case work then).
type Settings struct {
	Hub                             string
	Version                         uint64
	Labels, SubStatuses, Responders []string
	Me                              string
}

// decorate copies the case record's fields into a list item.
func (w *hubWork) decorate(it *Item) {
	cw := w.records[it.ID]
	if cw == nil || cw.rec == nil {
		return
	}
	r := cw.rec
	it.Assignee, it.SubStatus, it.FollowUp = r.Assignee, r.SubStatus, r.FollowUp
	if len(r.Labels) > 0 {
		it.Labels = r.Labels
	}
}

// dueOn is DueToday or DueOverdue when the follow-up day is today or
// past, else "".
func dueOn(followUp, today string) string {
	switch {
	case followUp == "":
		return ""
	case followUp == today:
		return DueToday
	case followUp < today:
		return DueOverdue
	}
	return ""
}

// today is the day of now on the desk's computer, YYYY-MM-DD: a
// follow-up day is a day of the responder's calendar.
func today(now time.Time) string { return now.Format(time.DateOnly) }

// matchWork reports whether an item matches the filter's case-work
// fields; me is the responder's label on the item's hub.
func (f Filter) matchWork(it Item, me string) bool {
	switch f.Assignee {
	case "":
	case AssigneeMine:
		if me == "" || it.Assignee != me {
			return false
		}
	case AssigneeNone:
		if it.Assignee != "" {
			return false
		}
	default:
		if it.Assignee != f.Assignee {
			return false
		}
	}
	if f.Label != "" && !slices.Contains(it.Labels, f.Label) {
		return false
	}
	return !f.Due || it.Due != ""
}

func (c *Counts) addDue(it Item) {
	switch it.Due {
	case DueToday:
		c.DueToday++
	case DueOverdue:
		c.Overdue++
	}
}

// Settings returns a hub's case settings, from the local copy.
func (b *Book) Settings(hub string) (Settings, error) {
	if _, err := b.hubOf(hub); err != nil {
		return Settings{}, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return Settings{}, ErrClosed
	}
	return settingsOf(hub, b.models[hub].work), nil
}

func settingsOf(hub string, w *hubWork) Settings {
	return Settings{
		Hub: hub, Version: w.settingsVersion, Me: w.me,
		Labels:      slices.Clone(w.settings.Labels),
		SubStatuses: slices.Clone(w.settings.SubStatuses),
		Responders:  slices.Clone(w.team),
	}
}

// workOf is the Work of case id; the caller holds b.mu.
func workOf(hub, id string, m *hubModel) (w Work) {
	w = Work{Settings: settingsOf(hub, m.work), Labels: []string{}, Links: []Link{}, Notes: []Note{}, History: []HistoryEntry{}}
	defer func() {
		for _, l := range w.Settings.Labels {
			if !slices.Contains(w.Labels, l) {
				w.Addable = append(w.Addable, l)
			}
		}
	}()
	cw := m.work.records[id]
	if cw == nil {
		return w
	}
	w.Version, w.Err = cw.version, cw.err
	r := cw.rec
	if r == nil {
		return w
	}
	w.Assignee, w.SubStatus, w.FollowUp = r.Assignee, r.SubStatus, r.FollowUp
	w.Labels = slices.Clone(r.Labels)
	for _, l := range r.Links {
		w.Links = append(w.Links, Link{Kind: l.Kind, Target: l.Target, Known: m.isRoot(l.Target)})
	}
	for _, n := range r.Notes {
		w.Notes = append(w.Notes, Note{ID: n.ID, Author: n.Author, Hour: recordHour(n.Hour), Text: n.Text, Attachment: n.Attachment})
	}
	for _, c := range r.History {
		w.History = append(w.History, HistoryEntry{Author: c.Author, Hour: recordHour(c.Hour), Field: c.Field, Old: c.Old, New: c.New})
	}
	return w
}

// isRoot reports whether id is a case the desk holds (its opening
// message), without grouping the hub's submissions.
func (m *hubModel) isRoot(id string) bool {
	e, ok := m.entries[id]
	return ok && m.rootOf(e) == id
}

// recordHour turns a record's hour into the desk's "2006-01-02 15:00".
func recordHour(h string) string {
	t, err := time.Parse(caserecord.HourLayout, h)
	if err != nil {
		return strings.ToValidUTF8(h, "")
	}
	return coarseHour(t)
}
