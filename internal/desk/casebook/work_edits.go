package casebook

import (
	"slices"

	"difesa.org/difesa/internal/caserecord"
)

// The changes the desk makes to a case record, for [Book.EditCase].

// Assign assigns the case to a responder label, to the responder
// ([AssigneeMine]) or to nobody ("").
func Assign(to string) CaseEdit {
	return func(r *caserecord.Record, _ *caserecord.Hub, author, hour string) error {
		if to == AssigneeMine {
			to = author
		}
		return r.Set(caserecord.FieldAssignee, to, author, hour)
	}
}

// SetSubStatus sets the sub-status ("" clears it).
func SetSubStatus(s string) CaseEdit {
	return func(r *caserecord.Record, _ *caserecord.Hub, author, hour string) error {
		return r.Set(caserecord.FieldSubStatus, s, author, hour)
	}
}

// SetFollowUp sets the follow-up day, YYYY-MM-DD ("" clears it).
func SetFollowUp(day string) CaseEdit {
	return func(r *caserecord.Record, _ *caserecord.Hub, author, hour string) error {
		return r.Set(caserecord.FieldFollowUp, day, author, hour)
	}
}

// AddLabel puts one of the hub's labels on the case.
func AddLabel(l string) CaseEdit {
	return func(r *caserecord.Record, _ *caserecord.Hub, _, _ string) error { return r.AddLabel(l) }
}

// RemoveLabel takes a label off the case.
func RemoveLabel(l string) CaseEdit {
	return func(r *caserecord.Record, _ *caserecord.Hub, _, _ string) error {
		r.RemoveLabel(l)
		return nil
	}
}

// AddNote appends an internal note.
func AddNote(text string) CaseEdit {
	return func(r *caserecord.Record, _ *caserecord.Hub, author, hour string) error {
		_, err := r.AddNote(author, hour, text, "")
		return err
	}
}

// AddLink relates the case to another (kind: a caserecord link kind).
func AddLink(kind, target string) CaseEdit {
	return func(r *caserecord.Record, _ *caserecord.Hub, _, _ string) error { return r.AddLink(kind, target) }
}

// RemoveLink undoes [AddLink].
func RemoveLink(kind, target string) CaseEdit {
	return func(r *caserecord.Record, _ *caserecord.Hub, _, _ string) error {
		r.RemoveLink(kind, target)
		return nil
	}
}

// LinkKinds are the kinds of links between cases.
var LinkKinds = []string{caserecord.LinkDuplicate, caserecord.LinkSameDefender, caserecord.LinkSameIncident}

// EditList adds (add) or removes a name of the hub's labels (subStatuses
// false) or sub-statuses, for [Book.EditSettings].
func EditList(subStatuses, add bool, name string) func(*caserecord.Hub) error {
	return func(h *caserecord.Hub) error {
		list := &h.Labels
		if subStatuses {
			list = &h.SubStatuses
		}
		if add {
			*list = append(*list, name)
		} else {
			*list = slices.DeleteFunc(*list, func(x string) bool { return x == name })
		}
		slices.Sort(*list)
		*list = slices.Compact(*list)
		return h.Validate()
	}
}
