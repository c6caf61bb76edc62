package form

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// validate checks every rule of docs/forms.md that does not depend on the
// encoding. Errors wrap [ErrInvalid], [ErrTooLarge] or [ErrBadCondition].
func (f *Form) validate() error {
	if f.Format != Format {
		return fmt.Errorf("%w: format is %q, want %q", ErrInvalid, truncate(f.Format), Format)
	}
	if !validHubID(f.Hub) {
		return fmt.Errorf("%w: hub %q is not a hub id ([a-z0-9][a-z0-9-]{0,31})", ErrInvalid, truncate(f.Hub))
	}
	if !validFormID(f.ID) {
		return fmt.Errorf("%w: id %q is not a form id ([a-z0-9][a-z0-9_-]{0,63})", ErrInvalid, truncate(f.ID))
	}
	if f.Version == 0 || f.Version > MaxVersion {
		return fmt.Errorf("%w: version must be from 1 to %d", ErrInvalid, uint64(MaxVersion))
	}
	if len(f.Languages) == 0 {
		return fmt.Errorf("%w: no languages", ErrInvalid)
	}
	if len(f.Languages) > MaxLanguages {
		return fmt.Errorf("%w: %d languages, at most %d", ErrTooLarge, len(f.Languages), MaxLanguages)
	}
	langs := make(map[string]bool, len(f.Languages))
	for _, l := range f.Languages {
		if !validLanguage(l) {
			return fmt.Errorf("%w: language %q is not a language tag", ErrInvalid, truncate(l))
		}
		if langs[l] {
			return fmt.Errorf("%w: language %q listed twice", ErrInvalid, l)
		}
		langs[l] = true
	}
	if err := f.checkText("title", f.Title, MaxTitle, true, false); err != nil {
		return err
	}
	if err := f.checkText("help", f.Help, MaxHelp, false, true); err != nil {
		return err
	}
	if len(f.Fields) == 0 {
		return fmt.Errorf("%w: no fields", ErrInvalid)
	}
	if len(f.Fields) > MaxFields {
		return fmt.Errorf("%w: %d fields, at most %d", ErrTooLarge, len(f.Fields), MaxFields)
	}
	seen := make(map[string]int, len(f.Fields))
	for i := range f.Fields {
		fl := &f.Fields[i]
		if err := f.checkField(fl); err != nil {
			return err
		}
		if _, dup := seen[fl.ID]; dup {
			return fmt.Errorf("%w: field %q appears twice", ErrInvalid, fl.ID)
		}
		if err := f.checkCondition(i, seen); err != nil {
			return err
		}
		seen[fl.ID] = i
	}
	return nil
}

func (f *Form) checkField(fl *Field) error {
	if !validFieldID(fl.ID) {
		return fmt.Errorf("%w: field id %q is not [a-z][a-z0-9_]{0,63}", ErrInvalid, truncate(fl.ID))
	}
	where := "field " + fl.ID
	if !knownType(fl.Type) {
		return fmt.Errorf("%w: %s: unknown type %q", ErrInvalid, where, truncate(fl.Type))
	}
	if err := f.checkText(where+": label", fl.Label, MaxLabel, true, false); err != nil {
		return err
	}
	if err := f.checkText(where+": help", fl.Help, MaxHelp, false, true); err != nil {
		return err
	}
	if fl.Code != "" && !validCode(fl.Code) {
		return fmt.Errorf("%w: %s: code %q is not [A-Za-z0-9_.:/-]{1,64}", ErrInvalid, where, truncate(fl.Code))
	}
	if fl.MaxLength < 0 || (fl.MaxLength > 0 && !isText(fl.Type)) {
		return fmt.Errorf("%w: %s: max_length is only for text fields, and positive", ErrInvalid, where)
	}
	if fl.MaxLength > 0 && fl.MaxLength > (&Field{Type: fl.Type}).maxLength() {
		return fmt.Errorf("%w: %s: max_length %d is over %d", ErrTooLarge, where, fl.MaxLength, (&Field{Type: fl.Type}).maxLength())
	}
	if !hasChoices(fl.Type) {
		if len(fl.Choices) > 0 {
			return fmt.Errorf("%w: %s: a %s field has no choices", ErrInvalid, where, fl.Type)
		}
		return nil
	}
	if len(fl.Choices) == 0 {
		return fmt.Errorf("%w: %s: no choices", ErrInvalid, where)
	}
	if len(fl.Choices) > MaxChoices {
		return fmt.Errorf("%w: %s: %d choices, at most %d", ErrTooLarge, where, len(fl.Choices), MaxChoices)
	}
	ids := make(map[string]bool, len(fl.Choices))
	for _, c := range fl.Choices {
		if !validChoiceID(c.ID) {
			return fmt.Errorf("%w: %s: choice id %q is not [a-z0-9_]{1,64}", ErrInvalid, where, truncate(c.ID))
		}
		if ids[c.ID] {
			return fmt.Errorf("%w: %s: choice %q appears twice", ErrInvalid, where, c.ID)
		}
		ids[c.ID] = true
		if err := f.checkText(where+": choice "+c.ID, c.Label, MaxLabel, true, false); err != nil {
			return err
		}
		if c.Code != "" && !validCode(c.Code) {
			return fmt.Errorf("%w: %s: choice %s: code %q is not [A-Za-z0-9_.:/-]{1,64}", ErrInvalid, where, c.ID, truncate(c.Code))
		}
	}
	return nil
}

// checkCondition checks field i's condition against the fields before it
// (seen: their ids and places). Only earlier fields can be named, so
// conditions cannot loop.
func (f *Form) checkCondition(i int, seen map[string]int) error {
	fl := &f.Fields[i]
	c := fl.ShowIf
	if c == nil {
		return nil
	}
	where := "field " + fl.ID
	if c.Field == fl.ID {
		return fmt.Errorf("%w: %s: the condition refers to the field itself", ErrBadCondition, where)
	}
	j, ok := seen[c.Field]
	if !ok {
		if f.Field(c.Field) != nil {
			return fmt.Errorf("%w: %s: the condition refers to %q, a later field (conditions may name only earlier fields)", ErrBadCondition, where, c.Field)
		}
		return fmt.Errorf("%w: %s: the condition refers to %q, which is no field", ErrBadCondition, where, truncate(c.Field))
	}
	on := &f.Fields[j]
	allowed := conditionValues(on)
	if allowed == nil {
		return fmt.Errorf("%w: %s: the condition refers to %q, a %s field: only choice and yes/no fields can be conditions", ErrBadCondition, where, on.ID, on.Type)
	}
	if len(c.Values) == 0 {
		return fmt.Errorf("%w: %s: the condition has no values", ErrBadCondition, where)
	}
	if len(c.Values) > MaxConditionValues {
		return fmt.Errorf("%w: %s: the condition has %d values, at most %d", ErrTooLarge, where, len(c.Values), MaxConditionValues)
	}
	dup := make(map[string]bool, len(c.Values))
	for _, v := range c.Values {
		if !contains(allowed, v) {
			return fmt.Errorf("%w: %s: the condition's value %q is not an answer of %q", ErrBadCondition, where, truncate(v), on.ID)
		}
		if dup[v] {
			return fmt.Errorf("%w: %s: the condition names %q twice", ErrBadCondition, where, v)
		}
		dup[v] = true
	}
	return nil
}

// checkText checks a text per language: keys among the form's languages,
// the first language present if required, each value non-empty, at most
// max code points, printable (newlines only if multiline), and nothing
// shaped like a secret key.
func (f *Form) checkText(where string, t Text, max int, required, multiline bool) error {
	if required && t[f.Languages[0]] == "" {
		return fmt.Errorf("%w: %s: missing in %s, the form's first language", ErrInvalid, where, f.Languages[0])
	}
	if len(t) > len(f.Languages) {
		return fmt.Errorf("%w: %s: more languages than the form has", ErrInvalid, where)
	}
	for lang, s := range t {
		if !contains(f.Languages, lang) {
			return fmt.Errorf("%w: %s: language %q is not one of the form's", ErrInvalid, where, truncate(lang))
		}
		if s == "" {
			return fmt.Errorf("%w: %s: empty text in %s", ErrInvalid, where, lang)
		}
		if n := utf8.RuneCountInString(s); n > max {
			return fmt.Errorf("%w: %s in %s: %d characters, at most %d", ErrTooLarge, where, lang, n, max)
		}
		if err := checkPrintable(s, multiline); err != nil {
			return fmt.Errorf("%w: %s in %s: %v", ErrInvalid, where, lang, err)
		}
	}
	return nil
}

// checkPrintable refuses invalid UTF-8, control and format characters
// (bidi overrides, zero-width characters, U+2028), and secret-key shapes.
// A newline is allowed in multiline texts.
func checkPrintable(s string, multiline bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("not valid UTF-8")
	}
	for _, r := range s {
		if r == '\n' && multiline {
			continue
		}
		if !unicode.IsPrint(r) {
			return fmt.Errorf("character %U is not allowed", r)
		}
	}
	if looksSecret(s) {
		return fmt.Errorf("holds something shaped like a SECRET key")
	}
	return nil
}

func looksSecret(s string) bool {
	u := strings.ToUpper(s)
	return strings.Contains(u, "AGE-SECRET-KEY-") || strings.Contains(u, "DIFESA-ADMIN-SECRET-KEY-")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func validHubID(s string) bool {
	return len(s) >= 1 && len(s) <= 32 && isLowerDigit(s[0]) && allOf(s, func(c byte) bool { return isLowerDigit(c) || c == '-' })
}

func validFormID(s string) bool {
	return len(s) >= 1 && len(s) <= 64 && isLowerDigit(s[0]) && allOf(s, func(c byte) bool { return isLowerDigit(c) || c == '-' || c == '_' })
}

func validFieldID(s string) bool {
	return len(s) >= 1 && len(s) <= 64 && 'a' <= s[0] && s[0] <= 'z' && allOf(s, func(c byte) bool { return isLowerDigit(c) || c == '_' })
}

func validChoiceID(s string) bool {
	return len(s) >= 1 && len(s) <= 64 && allOf(s, func(c byte) bool { return isLowerDigit(c) || c == '_' })
}

func validCode(s string) bool {
	return len(s) >= 1 && len(s) <= 64 && allOf(s, func(c byte) bool {
		return isLowerDigit(c) || 'A' <= c && c <= 'Z' || strings.IndexByte("_.:/-", c) >= 0
	})
}

func isLowerDigit(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

func allOf(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// validLanguage accepts a BCP 47-shaped tag as the bundle does: 2–3
// letters, then hyphen-separated alphanumeric subtags of 1–8, at most 35
// bytes.
func validLanguage(s string) bool {
	if s == "" || len(s) > 35 {
		return false
	}
	for i, sub := range strings.Split(s, "-") {
		if len(sub) == 0 || len(sub) > 8 || (i == 0 && (len(sub) < 2 || len(sub) > 3)) {
			return false
		}
		for j := 0; j < len(sub); j++ {
			c := sub[j]
			alpha := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
			if !alpha && (i == 0 || c < '0' || c > '9') {
				return false
			}
		}
	}
	return true
}
