package caserecord

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// HourLayout is the layout of an hour: RFC 3339 UTC with zero minutes
// and seconds.
const HourLayout = "2006-01-02T15:00:00Z"

// DayLayout is the layout of a follow-up day.
const DayLayout = "2006-01-02"

// Hour returns t rounded down to its hour in UTC, as records write it.
func Hour(t time.Time) string { return t.UTC().Truncate(time.Hour).Format(HourLayout) }

// Validate checks a record against the format's rules and limits.
func (r *Record) Validate() error {
	if r.V != Version {
		return fmt.Errorf("%w: version %d, want %d", ErrMalformed, r.V, Version)
	}
	if r.Assignee != "" {
		if err := checkName(r.Assignee); err != nil {
			return fmt.Errorf("%w: assignee: %w", ErrMalformed, err)
		}
	}
	if len(r.Labels) > MaxCaseLabels {
		return fmt.Errorf("%w: %d labels, over the %d of a case", ErrTooLarge, len(r.Labels), MaxCaseLabels)
	}
	if err := checkNames("label", r.Labels); err != nil {
		return err
	}
	if r.SubStatus != "" {
		if err := checkName(r.SubStatus); err != nil {
			return fmt.Errorf("%w: sub-status: %w", ErrMalformed, err)
		}
	}
	if r.FollowUp != "" {
		if err := checkDay(r.FollowUp); err != nil {
			return fmt.Errorf("%w: follow-up: %w", ErrMalformed, err)
		}
	}
	if len(r.Links) > MaxLinks {
		return fmt.Errorf("%w: %d links, over the %d of a case", ErrTooLarge, len(r.Links), MaxLinks)
	}
	for i, l := range r.Links {
		if err := l.check(); err != nil {
			return fmt.Errorf("%w: link %d: %w", ErrMalformed, i+1, err)
		}
		if i > 0 && !linkLess(r.Links[i-1], l) {
			return fmt.Errorf("%w: links not sorted or repeated at %d", ErrMalformed, i+1)
		}
	}
	if len(r.Notes) > MaxNotes {
		return fmt.Errorf("%w: %d notes, over the %d of a case", ErrTooLarge, len(r.Notes), MaxNotes)
	}
	ids := make(map[string]bool, len(r.Notes))
	for i, n := range r.Notes {
		if err := n.check(); err != nil {
			return fmt.Errorf("note %d: %w", i+1, err)
		}
		if ids[n.ID] {
			return fmt.Errorf("%w: note id %s appears twice", ErrMalformed, n.ID)
		}
		ids[n.ID] = true
		if i > 0 && !noteLess(r.Notes[i-1], n) {
			return fmt.Errorf("%w: notes not sorted at %d", ErrMalformed, i+1)
		}
	}
	if len(r.History) > MaxHistory {
		return fmt.Errorf("%w: %d changes in the history, over the %d of a case", ErrTooLarge, len(r.History), MaxHistory)
	}
	for i, c := range r.History {
		if err := c.check(); err != nil {
			return fmt.Errorf("%w: change %d: %w", ErrMalformed, i+1, err)
		}
		if i > 0 && !changeLess(r.History[i-1], c) {
			return fmt.Errorf("%w: history not sorted or repeated at %d", ErrMalformed, i+1)
		}
	}
	return nil
}

// Validate checks a hub record against the format's rules and limits.
func (h *Hub) Validate() error {
	if h.V != Version {
		return fmt.Errorf("%w: version %d, want %d", ErrMalformed, h.V, Version)
	}
	if len(h.Labels) > MaxHubLabels {
		return fmt.Errorf("%w: %d labels, over the %d of a hub", ErrTooLarge, len(h.Labels), MaxHubLabels)
	}
	if len(h.SubStatuses) > MaxSubStatuses {
		return fmt.Errorf("%w: %d sub-statuses, over the %d of a hub", ErrTooLarge, len(h.SubStatuses), MaxSubStatuses)
	}
	if err := checkNames("label", h.Labels); err != nil {
		return err
	}
	return checkNames("sub-status", h.SubStatuses)
}

// CheckHub checks that the case's labels and sub-status are the hub's.
func (r *Record) CheckHub(h *Hub) error {
	for _, l := range r.Labels {
		if !slices.Contains(h.Labels, l) {
			return fmt.Errorf("%w: label %q", ErrNotInHub, l)
		}
	}
	if r.SubStatus != "" && !slices.Contains(h.SubStatuses, r.SubStatus) {
		return fmt.Errorf("%w: sub-status %q", ErrNotInHub, r.SubStatus)
	}
	return nil
}

func checkNames(what string, s []string) error {
	for i, n := range s {
		if err := checkName(n); err != nil {
			return fmt.Errorf("%w: %s %d: %w", ErrMalformed, what, i+1, err)
		}
		if i > 0 && s[i-1] >= n {
			return fmt.Errorf("%w: %ss not sorted or repeated at %q", ErrMalformed, what, n)
		}
	}
	return nil
}

// checkName enforces the manifest's label rules on labels, sub-statuses
// and responder labels: 1 to MaxName printable code points, no leading,
// trailing or double space.
func checkName(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n == 0 || n > MaxName {
		return fmt.Errorf("%d characters, want 1 to %d", n, MaxName)
	}
	for _, c := range s {
		if !unicode.IsPrint(c) {
			return fmt.Errorf("unprintable character %U", c)
		}
	}
	if strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") || strings.Contains(s, "  ") {
		return fmt.Errorf("leading, trailing or double space")
	}
	return nil
}

func checkHour(s string) error {
	t, err := time.Parse(HourLayout, s)
	if err != nil || t.Format(HourLayout) != s {
		return fmt.Errorf("hour %q is not YYYY-MM-DDTHH:00:00Z", s)
	}
	return nil
}

func checkDay(s string) error {
	t, err := time.Parse(DayLayout, s)
	if err != nil || t.Format(DayLayout) != s {
		return fmt.Errorf("day %q is not YYYY-MM-DD", s)
	}
	return nil
}

func checkID(s string) error {
	if len(s) != 16 || strings.Trim(s, "0123456789abcdef") != "" {
		return fmt.Errorf("id %q is not 16 lowercase hex digits", s)
	}
	return nil
}

func (l Link) check() error {
	switch l.Kind {
	case LinkDuplicate, LinkSameDefender, LinkSameIncident:
	default:
		return fmt.Errorf("kind %q is not duplicate, same_defender or same_incident", l.Kind)
	}
	if l.Target == "" || len(l.Target) > 64 || strings.Trim(l.Target, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_") != "" {
		return fmt.Errorf("target %q is not a submission id", l.Target)
	}
	return nil
}

func (n Note) check() error {
	if err := checkID(n.ID); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if err := checkName(n.Author); err != nil {
		return fmt.Errorf("%w: author: %w", ErrMalformed, err)
	}
	if err := checkHour(n.Hour); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if len(n.Text) > MaxNoteText {
		return fmt.Errorf("%w: text of %d bytes, over the %d of a note", ErrTooLarge, len(n.Text), MaxNoteText)
	}
	if n.Text == "" || !utf8.ValidString(n.Text) {
		return fmt.Errorf("%w: text empty or not valid UTF-8", ErrMalformed)
	}
	if len(n.Attachment) > MaxRef || !utf8.ValidString(n.Attachment) {
		return fmt.Errorf("%w: attachment reference over %d bytes or not valid UTF-8", ErrMalformed, MaxRef)
	}
	return nil
}

func (c Change) check() error {
	if err := checkName(c.Author); err != nil {
		return fmt.Errorf("author: %w", err)
	}
	if err := checkHour(c.Hour); err != nil {
		return err
	}
	if !slices.Contains(fields, c.Field) {
		return fmt.Errorf("field %q has no history", c.Field)
	}
	if len(c.Old) > MaxValue || len(c.New) > MaxValue || !utf8.ValidString(c.Old) || !utf8.ValidString(c.New) {
		return fmt.Errorf("value over %d bytes or not valid UTF-8", MaxValue)
	}
	if c.Old == c.New {
		return fmt.Errorf("change of %s from %q to itself", c.Field, c.Old)
	}
	return nil
}

func linkLess(a, b Link) bool {
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	return a.Target < b.Target
}

func noteLess(a, b Note) bool {
	if a.Hour != b.Hour {
		return a.Hour < b.Hour
	}
	return a.ID < b.ID
}

// changeLess orders changes by hour, author, field, new and old value:
// the order of the history and of last-writer-wins.
func changeLess(a, b Change) bool {
	if a.Hour != b.Hour {
		return a.Hour < b.Hour
	}
	if a.Author != b.Author {
		return a.Author < b.Author
	}
	if a.Field != b.Field {
		return a.Field < b.Field
	}
	if a.New != b.New {
		return a.New < b.New
	}
	return a.Old < b.Old
}
