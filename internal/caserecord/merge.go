package caserecord

import (
	"encoding/json"
	"slices"
)

// Merge joins two records edited concurrently from the same base (nil if
// the case had no record) so that no edit is lost (docs/case-record.md,
// "Merge"):
//
//   - notes are append-only: every note of base, mine and theirs is kept,
//     by id (two different notes with the same id, which random ids make
//     implausible, keep the one whose JSON sorts last);
//   - labels and links are sets: an element is in the result if all three
//     have it, or if base lacks it and either side added it; a removal
//     since base by either side wins over keeping it;
//   - a single-valued field changed by one side takes that side's value;
//     changed by both to different values, the last writer wins by the
//     (hour, author, value) of its latest change, and the loser's change
//     stays in the history, which is the union of all three;
//
// Merge(base, mine, theirs) and Merge(base, theirs, mine) are equal. The
// result is validated: a merge over a limit returns [ErrTooLarge] and
// the caller keeps its records.
func Merge(base, mine, theirs *Record) (*Record, error) {
	if base == nil {
		base = New()
	}
	out := &Record{V: Version}
	out.Labels = mergeSet(base.Labels, mine.Labels, theirs.Labels, func(a, b string) bool { return a < b })
	out.Links = mergeSet(base.Links, mine.Links, theirs.Links, linkLess)
	out.Notes = mergeNotes(base.Notes, mine.Notes, theirs.Notes)
	out.History = slices.Concat(base.History, mine.History, theirs.History)
	for _, f := range fields {
		*out.field(f) = mergeField(f, base, mine, theirs)
	}
	out.normalize()
	if err := out.Validate(); err != nil {
		return nil, err
	}
	return out, nil
}

func mergeSet[T comparable](base, mine, theirs []T, less func(a, b T) bool) []T {
	in := func(s []T, x T) bool { return slices.Contains(s, x) }
	var out []T
	for _, x := range slices.Concat(base, mine, theirs) {
		if in(out, x) {
			continue
		}
		if in(base, x) && in(mine, x) && in(theirs, x) || !in(base, x) && (in(mine, x) || in(theirs, x)) {
			out = append(out, x)
		}
	}
	slices.SortFunc(out, func(a, b T) int { return cmpBy(less, a, b) })
	return out
}

func mergeNotes(lists ...[]Note) []Note {
	byID := map[string]Note{}
	for _, l := range lists {
		for _, n := range l {
			if o, ok := byID[n.ID]; ok && o != n {
				a, _ := json.Marshal(o)
				b, _ := json.Marshal(n)
				if string(b) < string(a) {
					continue
				}
			}
			byID[n.ID] = n
		}
	}
	out := make([]Note, 0, len(byID))
	for _, n := range byID {
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b Note) int { return cmpBy(noteLess, a, b) })
	return out
}

func mergeField(f string, base, mine, theirs *Record) string {
	b, m, t := *base.field(f), *mine.field(f), *theirs.field(f)
	switch {
	case m == t:
		return m
	case m == b:
		return t
	case t == b:
		return m
	}
	cm, okm := latest(f, base, mine)
	ct, okt := latest(f, base, theirs)
	switch {
	case okm && okt:
		if changeLess(ct, cm) {
			return m
		}
		return t
	case okm:
		return m
	case okt:
		return t
	}
	return max(m, t)
}

// latest returns the last change of f in side's history that base does
// not have.
func latest(f string, base, side *Record) (Change, bool) {
	var last Change
	found := false
	for _, c := range side.History {
		if c.Field != f || slices.Contains(base.History, c) {
			continue
		}
		if !found || changeLess(last, c) {
			last, found = c, true
		}
	}
	return last, found
}
