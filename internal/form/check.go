package form

import "fmt"

// Severity of an [Issue].
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Issue is one finding of [Check]. An error stops signing; a warning does
// not.
type Issue struct {
	Severity string
	// Code is the stable wire code for errors ("form_invalid", …) and a
	// stable name for warnings ("missing_translation", "choice_without_code").
	Code    string
	Message string
}

func (i Issue) String() string { return fmt.Sprintf("%s: %s (%s)", i.Severity, i.Message, i.Code) }

// Warning codes of [Check].
const (
	WarnMissingTranslation = "missing_translation"
	WarnChoiceWithoutCode  = "choice_without_code"
)

// Check lints a form an admin wrote (any JSON layout, see [Decode]): an
// error when it breaks a rule (unknown type, broken condition, limits…),
// then warnings for texts missing in one of the form's languages or in one
// of hubLanguages (the languages the hub's pages offer), and for choices
// without a vocabulary code. It returns the decoded form when there is no
// error.
func Check(b []byte, hubLanguages []string) (*Form, []Issue) {
	f, err := Decode(b)
	if err != nil {
		return nil, []Issue{{Severity: SeverityError, Code: Code(err), Message: err.Error()}}
	}
	langs := append([]string(nil), f.Languages...)
	var issues []Issue
	for _, l := range hubLanguages {
		if !contains(langs, l) {
			issues = append(issues, Issue{SeverityWarning, WarnMissingTranslation,
				fmt.Sprintf("the hub offers %s, but the form has no %s texts: visitors in %s see %s", l, l, l, f.Languages[0])})
		}
	}
	missing := func(where string, t Text) {
		for _, l := range f.Languages {
			if t[l] == "" {
				issues = append(issues, Issue{SeverityWarning, WarnMissingTranslation,
					fmt.Sprintf("%s has no %s text (shown in %s instead)", where, l, f.Languages[0])})
			}
		}
	}
	missing("the title", f.Title)
	if len(f.Help) > 0 {
		missing("the help", f.Help)
	}
	for _, fl := range f.Fields {
		missing("field "+fl.ID, fl.Label)
		if len(fl.Help) > 0 {
			missing("field "+fl.ID+": help", fl.Help)
		}
		for _, c := range fl.Choices {
			missing("field "+fl.ID+": choice "+c.ID, c.Label)
			if c.Code == "" {
				issues = append(issues, Issue{SeverityWarning, WarnChoiceWithoutCode,
					fmt.Sprintf("field %s: choice %s has no vocabulary code", fl.ID, c.ID)})
			}
		}
	}
	return f, issues
}
