package form

// Format is the first member of every form, which separates forms from
// anything else the admin key signs (manifests start with
// "difesa-manifest/v1", bulletins with "<?xml" or "<alert").
const Format = "difesa-form/v1"

// Field types.
const (
	TypeShortText      = "short_text"      // one line of text
	TypeLongText       = "long_text"       // free text, several lines
	TypeSingleChoice   = "single_choice"   // one of the choices
	TypeMultipleChoice = "multiple_choice" // any of the choices
	TypeYesNo          = "yes_no"          // "yes" or "no"
	TypeNumber         = "number"          // a decimal number
	TypeDate           = "date"            // a date (YYYY, YYYY-MM, YYYY-MM-DD) or a period A/B
	TypePlace          = "place"           // a place, in words
	TypeFiles          = "files"           // attachments, by name
)

// Answers of a yes/no field.
const (
	Yes = "yes"
	No  = "no"
)

// Form is a hub's form. Its JSON encoding, with the members in this order
// ([Form.Marshal]), is what the admin key signs.
type Form struct {
	// Format is always [Format].
	Format string `json:"format"`
	// Hub is the hub's id (as in its manifest); ID names the form within
	// the hub, and Version grows with every change (1, 2, …).
	Hub     string `json:"hub"`
	ID      string `json:"id"`
	Version uint64 `json:"version"`
	// Languages are the languages of the form's texts, the first being the
	// one shown when a visitor's language is missing.
	Languages []string `json:"languages"`
	Title     Text     `json:"title"`
	Help      Text     `json:"help,omitempty"`
	Fields    []Field  `json:"fields"`
}

// Text is a text per language tag. Every tag is one of the form's
// Languages; the first language is always present.
type Text map[string]string

// Field is one question.
type Field struct {
	// ID keys the answer in a bundle: stable across versions of a form.
	ID       string `json:"id"`
	Type     string `json:"type"`
	Required bool   `json:"required,omitempty"`
	Label    Text   `json:"label"`
	Help     Text   `json:"help,omitempty"`
	// Code is an optional code of a controlled vocabulary.
	Code string `json:"code,omitempty"`
	// Choices, for single and multiple choice fields only.
	Choices []Choice `json:"choices,omitempty"`
	// ShowIf, if set, shows the field only when an earlier field's answer
	// holds one of the condition's values.
	ShowIf *Condition `json:"show_if,omitempty"`
	// MaxLength bounds a text answer, in code points (0: the type's
	// default, see [Limits]).
	MaxLength int `json:"max_length,omitempty"`
}

// Choice is one possible answer of a choice field.
type Choice struct {
	ID    string `json:"id"`
	Label Text   `json:"label"`
	Code  string `json:"code,omitempty"`
}

// Condition shows a field only when the answer of the earlier field Field
// holds at least one of Values (choice ids, or "yes"/"no"). A field whose
// condition is not met is not asked, and must not be answered; nor is a
// field whose condition names a field that is itself not shown.
type Condition struct {
	Field  string   `json:"field"`
	Values []string `json:"values"`
}

// Field returns the field with id, or nil.
func (f *Form) Field(id string) *Field {
	for i := range f.Fields {
		if f.Fields[i].ID == id {
			return &f.Fields[i]
		}
	}
	return nil
}

// In returns the text in lang, or else in the primary subtag of lang
// ("pt" for "pt-BR"), or else in the form's first language.
func (f *Form) In(t Text, lang string) string {
	if s, ok := t[lang]; ok {
		return s
	}
	for tag, s := range t {
		if primary(tag) == primary(lang) && primary(lang) != "" {
			return s
		}
	}
	if len(f.Languages) > 0 {
		return t[f.Languages[0]]
	}
	return ""
}

func primary(tag string) string {
	for i := 0; i < len(tag); i++ {
		if tag[i] == '-' {
			return tag[:i]
		}
	}
	return tag
}

// hasChoices reports whether a field of type typ has Choices.
func hasChoices(typ string) bool { return typ == TypeSingleChoice || typ == TypeMultipleChoice }

// isText reports whether answers of typ are free text.
func isText(typ string) bool {
	return typ == TypeShortText || typ == TypeLongText || typ == TypePlace
}

// knownType reports whether typ is one of the Type constants.
func knownType(typ string) bool {
	switch typ {
	case TypeShortText, TypeLongText, TypeSingleChoice, TypeMultipleChoice, TypeYesNo,
		TypeNumber, TypeDate, TypePlace, TypeFiles:
		return true
	}
	return false
}

// conditionValues returns the values a condition on f may name.
func conditionValues(f *Field) []string {
	switch f.Type {
	case TypeYesNo:
		return []string{Yes, No}
	case TypeSingleChoice, TypeMultipleChoice:
		out := make([]string, len(f.Choices))
		for i, c := range f.Choices {
			out[i] = c.ID
		}
		return out
	}
	return nil
}
