package form

import (
	"fmt"

	"difesa.org/difesa/internal/bundle"
)

// DefaultID is the id of the built-in form. A hub cannot publish a form
// with it: the default form is not signed, because it is part of the
// program, and its answers travel as report.json as they always have.
const DefaultID = "default"

// Ids of the default form's fields: the fields of [bundle.Report], and the
// attachments.
const (
	FieldCategory    = "category"
	FieldNarrative   = "narrative"
	FieldWhen        = "when"
	FieldWhere       = "where"
	FieldWho         = "who"
	FieldNeeds       = "needs"
	FieldContact     = "contact"
	FieldAttachments = "attachments"
)

// Default returns the built-in form of hub: today's report fields, so a hub
// that designs no form changes nothing. Its answers become report.json
// ([DefaultReport]), byte for byte what difesa always wrote.
func Default(hub string) *Form {
	en := func(s string) Text { return Text{"en": s} }
	choices := make([]Choice, len(bundle.Categories))
	for i, c := range bundle.Categories {
		choices[i] = Choice{ID: c.ID, Label: en(c.Title), Code: c.ID}
	}
	return &Form{
		Format: Format, Hub: hub, ID: DefaultID, Version: 1,
		Languages: []string{"en"},
		Title:     en("Report an attack"),
		Fields: []Field{
			{ID: FieldCategory, Type: TypeSingleChoice, Required: true, Label: en("What happened?"), Code: "category", Choices: choices},
			{ID: FieldNarrative, Type: TypeLongText, Label: en("Tell us what happened, in your words")},
			{ID: FieldWhen, Type: TypeShortText, Label: en("When did it happen?")},
			{ID: FieldWhere, Type: TypePlace, Label: en("Where did it happen?")},
			{ID: FieldWho, Type: TypeShortText, Label: en("Who was affected?")},
			{ID: FieldNeeds, Type: TypeShortText, Label: en("What help do you need?")},
			{ID: FieldContact, Type: TypeShortText, Label: en("Whether and how we may contact you")},
			{ID: FieldAttachments, Type: TypeFiles, Label: en("Files (photos, documents)")},
		},
	}
}

// DefaultReport turns answers to the default form into the report.json of
// a bundle and the attachment names, in order.
func DefaultReport(answers map[string][]string) (*bundle.Report, []string, error) {
	one := func(id string) string {
		if v := answers[id]; len(v) == 1 {
			return v[0]
		}
		return ""
	}
	for id, v := range answers {
		if id != FieldAttachments && len(v) != 1 {
			return nil, nil, fmt.Errorf("%w: field %s of the default form takes one value", ErrAnswers, id)
		}
	}
	rep := &bundle.Report{
		Category: one(FieldCategory), Narrative: one(FieldNarrative), When: one(FieldWhen),
		Where: one(FieldWhere), Who: one(FieldWho), Needs: one(FieldNeeds), Contact: one(FieldContact),
	}
	return rep, answers[FieldAttachments], nil
}

// ReportAnswers is the reverse of [DefaultReport]: a report.json and its
// attachments as answers to the default form, for showing old and new
// bundles the same way.
func ReportAnswers(rep *bundle.Report, files []string) map[string][]string {
	out := map[string][]string{}
	set := func(id, v string) {
		if v != "" {
			out[id] = []string{v}
		}
	}
	set(FieldCategory, rep.Category)
	set(FieldNarrative, rep.Narrative)
	set(FieldWhen, rep.When)
	set(FieldWhere, rep.Where)
	set(FieldWho, rep.Who)
	set(FieldNeeds, rep.Needs)
	set(FieldContact, rep.Contact)
	if len(files) > 0 {
		out[FieldAttachments] = files
	}
	return out
}
