package caserecord

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
)

// New returns an empty case record.
func New() *Record { return (&Record{V: Version}).normalize() }

// NewHub returns an empty hub record.
func NewHub() *Hub { return &Hub{V: Version, Labels: []string{}, SubStatuses: []string{}} }

// Marshal validates the record and writes its JSON, the form [Parse]
// reads and the vectors show.
func (r *Record) Marshal() ([]byte, error) {
	r.normalize()
	if err := r.Validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("caserecord: unable to marshal the record: %w", err)
	}
	if len(b) > MaxRecordSize {
		return nil, fmt.Errorf("%w: %d bytes, over the %d of a case record", ErrTooLarge, len(b), MaxRecordSize)
	}
	return b, nil
}

// Marshal validates the hub record and writes its JSON.
func (h *Hub) Marshal() ([]byte, error) {
	if h.Labels == nil {
		h.Labels = []string{}
	}
	if h.SubStatuses == nil {
		h.SubStatuses = []string{}
	}
	slices.Sort(h.Labels)
	h.Labels = slices.Compact(h.Labels)
	slices.Sort(h.SubStatuses)
	h.SubStatuses = slices.Compact(h.SubStatuses)
	if err := h.Validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("caserecord: unable to marshal the hub record: %w", err)
	}
	if len(b) > MaxHubRecordSize {
		return nil, fmt.Errorf("%w: %d bytes, over the %d of a hub record", ErrTooLarge, len(b), MaxHubRecordSize)
	}
	return b, nil
}

// normalize sorts the sets and lists into the order the format demands
// and replaces nil lists by empty ones.
func (r *Record) normalize() *Record {
	if r.Labels == nil {
		r.Labels = []string{}
	}
	if r.Links == nil {
		r.Links = []Link{}
	}
	if r.Notes == nil {
		r.Notes = []Note{}
	}
	if r.History == nil {
		r.History = []Change{}
	}
	slices.Sort(r.Labels)
	r.Labels = slices.Compact(r.Labels)
	slices.SortFunc(r.Links, func(a, b Link) int { return cmpBy(linkLess, a, b) })
	r.Links = slices.Compact(r.Links)
	slices.SortFunc(r.Notes, func(a, b Note) int { return cmpBy(noteLess, a, b) })
	slices.SortFunc(r.History, func(a, b Change) int { return cmpBy(changeLess, a, b) })
	r.History = slices.Compact(r.History)
	return r
}

func cmpBy[T any](less func(a, b T) bool, a, b T) int {
	switch {
	case less(a, b):
		return -1
	case less(b, a):
		return 1
	}
	return 0
}

// Set changes a single-valued field (FieldAssignee, FieldSubStatus or
// FieldFollowUp) and records the change in the history. Setting a field
// to its value changes nothing.
func (r *Record) Set(field, value, author, hour string) error {
	p := r.field(field)
	if p == nil {
		return fmt.Errorf("%w: field %q has no history", ErrMalformed, field)
	}
	if *p == value {
		return nil
	}
	c := Change{Author: author, Hour: hour, Field: field, Old: *p, New: value}
	if err := c.check(); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	*p = value
	r.History = append(r.History, c)
	r.normalize()
	return r.Validate()
}

// AddNote appends a note with a fresh random id and returns it.
func (r *Record) AddNote(author, hour, text, attachment string) (Note, error) {
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return Note{}, fmt.Errorf("caserecord: unable to draw a note id: %w", err)
	}
	n := Note{ID: hex.EncodeToString(id[:]), Author: author, Hour: hour, Text: text, Attachment: attachment}
	if err := n.check(); err != nil {
		return Note{}, err
	}
	if len(r.Notes) >= MaxNotes {
		return Note{}, fmt.Errorf("%w: the case has %d notes already, the most it can hold", ErrTooLarge, len(r.Notes))
	}
	r.Notes = append(r.Notes, n)
	r.normalize()
	return n, r.Validate()
}

// AddLabel puts a label on the case; RemoveLabel takes it off.
func (r *Record) AddLabel(l string) error {
	if err := checkName(l); err != nil {
		return fmt.Errorf("%w: label: %w", ErrMalformed, err)
	}
	r.Labels = append(r.Labels, l)
	r.normalize()
	return r.Validate()
}

// RemoveLabel takes a label off the case.
func (r *Record) RemoveLabel(l string) {
	r.Labels = slices.DeleteFunc(r.Labels, func(x string) bool { return x == l })
}

// AddLink relates the case to another; RemoveLink undoes it.
func (r *Record) AddLink(kind, target string) error {
	l := Link{Kind: kind, Target: target}
	if err := l.check(); err != nil {
		return fmt.Errorf("%w: link: %w", ErrMalformed, err)
	}
	r.Links = append(r.Links, l)
	r.normalize()
	return r.Validate()
}

// RemoveLink removes a link.
func (r *Record) RemoveLink(kind, target string) {
	r.Links = slices.DeleteFunc(r.Links, func(x Link) bool { return x == Link{Kind: kind, Target: target} })
}
