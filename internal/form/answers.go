package form

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Answers are a defender's answers to one version of a form, as they
// travel in a bundle (answers.json, docs/bundle.md). Every answer is a
// list of strings: one value for most types, the choice ids of a multiple
// choice, the attachment names of a files field. Form, Version and Hash
// say exactly which questions were asked.
type Answers struct {
	Form    string              `json:"form"`
	Version uint64              `json:"version"`
	Hash    string              `json:"hash"`
	Answers map[string][]string `json:"answers"`
}

// Marshal returns the canonical bytes of a: compact JSON, answers sorted
// by field id, no HTML escaping, no final newline. It checks the shape of
// a ([ParseAnswers]'s rules) but not a form's.
func (a *Answers) Marshal() ([]byte, error) {
	if err := a.checkShape(); err != nil {
		return nil, err
	}
	if a.Answers == nil {
		a.Answers = map[string][]string{}
	}
	b, err := marshalCanonical(a)
	if err != nil {
		return nil, err
	}
	if len(b) > MaxAnswersSize {
		return nil, fmt.Errorf("%w: answers are %d bytes, at most %d", ErrTooLarge, len(b), MaxAnswersSize)
	}
	return b, nil
}

// ParseAnswers decodes answers from a hostile bundle: at most
// [MaxAnswersSize] bytes, strict JSON (no duplicate or unknown member, no
// nesting beyond [MaxDepth]), a form id, a version, a 64-hex-digit hash, at
// most [MaxFields] answers of at most [MaxChoices] values each, every value
// a non-empty string. It does not check the answers against a form: that
// is [CheckAnswers]'s job, once the form is known.
func ParseAnswers(b []byte) (*Answers, error) {
	if len(b) > MaxAnswersSize {
		return nil, fmt.Errorf("%w: answers are %d bytes, at most %d", ErrTooLarge, len(b), MaxAnswersSize)
	}
	var a Answers
	if err := decodeStrict(b, &a, []string{"form", "version", "hash", "answers"}); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAnswers, err)
	}
	if err := a.checkShape(); err != nil {
		return nil, err
	}
	return &a, nil
}

func (a *Answers) checkShape() error {
	switch {
	case !validFormID(a.Form):
		return fmt.Errorf("%w: form %q is not a form id", ErrAnswers, truncate(a.Form))
	case a.Version == 0 || a.Version > MaxVersion:
		return fmt.Errorf("%w: version must be from 1 to %d", ErrAnswers, uint64(MaxVersion))
	case !validHash(a.Hash):
		return fmt.Errorf("%w: hash is not 64 lowercase hex digits", ErrAnswers)
	case len(a.Answers) > MaxFields:
		return fmt.Errorf("%w: %d answers, at most %d", ErrTooLarge, len(a.Answers), MaxFields)
	}
	for id, vs := range a.Answers {
		if !validFieldID(id) {
			return fmt.Errorf("%w: %q is not a field id", ErrAnswers, truncate(id))
		}
		if len(vs) == 0 {
			return fmt.Errorf("%w: field %s: an empty answer (leave it out instead)", ErrAnswers, id)
		}
		if len(vs) > max(MaxChoices, MaxFilesPerField) {
			return fmt.Errorf("%w: field %s: %d values, at most %d", ErrTooLarge, id, len(vs), max(MaxChoices, MaxFilesPerField))
		}
		for _, v := range vs {
			if v == "" || !utf8.ValidString(v) {
				return fmt.Errorf("%w: field %s: an empty value, or not UTF-8", ErrAnswers, id)
			}
		}
	}
	return nil
}

func validHash(s string) bool {
	return len(s) == 64 && allOf(s, func(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' })
}

// Shown returns which fields of f are asked, given answers: a field
// without a condition always is; a field with one only if the field it
// names is shown and its answer holds one of the condition's values.
// Conditions name only earlier fields, so one pass in order decides.
func (f *Form) Shown(answers map[string][]string) map[string]bool {
	shown := make(map[string]bool, len(f.Fields))
	for _, fl := range f.Fields {
		c := fl.ShowIf
		if c == nil {
			shown[fl.ID] = true
			continue
		}
		if !shown[c.Field] {
			continue
		}
		for _, v := range answers[c.Field] {
			if contains(c.Values, v) {
				shown[fl.ID] = true
				break
			}
		}
	}
	return shown
}

// CheckAnswers checks a against the form f whose signed bytes hash to
// hash: the same form, version and hash ([ErrMismatch] otherwise: the form
// was swapped between fetch and send), then every answer against its
// field ([ErrAnswers]): a known field that is shown, a value its type
// allows, and every required shown field answered.
func CheckAnswers(f *Form, hash string, a *Answers) error {
	if a.Form != f.ID || a.Version != f.Version || a.Hash != hash {
		return fmt.Errorf("%w: answers are for form %q version %d (%s), not %q version %d (%s)",
			ErrMismatch, a.Form, a.Version, short(a.Hash), f.ID, f.Version, short(hash))
	}
	if err := a.checkShape(); err != nil {
		return err
	}
	shown := f.Shown(a.Answers)
	for id, vs := range a.Answers {
		fl := f.Field(id)
		if fl == nil {
			return fmt.Errorf("%w: %s is no field of form %q", ErrAnswers, id, f.ID)
		}
		if !shown[id] {
			return fmt.Errorf("%w: field %s is not asked, given the earlier answers", ErrAnswers, id)
		}
		if err := checkValue(fl, vs); err != nil {
			return fmt.Errorf("%w: field %s: %v", ErrAnswers, id, err)
		}
	}
	for _, fl := range f.Fields {
		if fl.Required && shown[fl.ID] && len(a.Answers[fl.ID]) == 0 {
			return fmt.Errorf("%w: field %s is required", ErrAnswers, fl.ID)
		}
	}
	return nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// checkValue checks the values of one answer against its field's type.
func checkValue(fl *Field, vs []string) error {
	if fl.Type != TypeMultipleChoice && fl.Type != TypeFiles && len(vs) != 1 {
		return fmt.Errorf("%d values, a %s answer has one", len(vs), fl.Type)
	}
	switch fl.Type {
	case TypeShortText, TypePlace, TypeLongText:
		s := vs[0]
		if n := utf8.RuneCountInString(s); n > fl.maxLength() {
			return fmt.Errorf("%d characters, at most %d", n, fl.maxLength())
		}
		for _, r := range s {
			if unicode.IsPrint(r) || r == '\t' || fl.Type == TypeLongText && (r == '\n' || r == '\r') {
				continue
			}
			return fmt.Errorf("character %U is not allowed", r)
		}
	case TypeSingleChoice, TypeMultipleChoice:
		seen := map[string]bool{}
		for _, v := range vs {
			if !contains(conditionValues(fl), v) {
				return fmt.Errorf("%q is not one of the choices", truncate(v))
			}
			if seen[v] {
				return fmt.Errorf("%q given twice", v)
			}
			seen[v] = true
		}
	case TypeYesNo:
		if vs[0] != Yes && vs[0] != No {
			return fmt.Errorf("the answer is %q or %q", Yes, No)
		}
	case TypeNumber:
		if !validNumber(vs[0]) {
			return fmt.Errorf("%q is not a number like 12 or -3.5", truncate(vs[0]))
		}
	case TypeDate:
		if !validDateOrPeriod(vs[0]) {
			return fmt.Errorf("%q is not a date (2026, 2026-11, 2026-11-20) or a period (2026-11-01/2026-11-20)", truncate(vs[0]))
		}
	case TypeFiles:
		if len(vs) > MaxFilesPerField {
			return fmt.Errorf("%d files, at most %d", len(vs), MaxFilesPerField)
		}
		seen := map[string]bool{}
		for _, v := range vs {
			if !validFileName(v) {
				return fmt.Errorf("%q is not an attachment name", truncate(v))
			}
			if seen[v] {
				return fmt.Errorf("%q given twice", truncate(v))
			}
			seen[v] = true
		}
	}
	return nil
}

func validNumber(s string) bool {
	if s == "" || len(s) > MaxNumber {
		return false
	}
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	digits := func(x string) bool { return x != "" && allOf(x, func(c byte) bool { return '0' <= c && c <= '9' }) }
	return digits(whole) && (!dot || digits(frac))
}

// validDateOrPeriod accepts YYYY, YYYY-MM, YYYY-MM-DD (a real date), or two
// of them separated by "/", the first not after the second.
func validDateOrPeriod(s string) bool {
	from, to, period := strings.Cut(s, "/")
	if !validDate(from) {
		return false
	}
	if !period {
		return true
	}
	return validDate(to) && from <= to
}

func validDate(s string) bool {
	for _, layout := range []string{"2006", "2006-01", time.DateOnly} {
		if len(s) == len(layout) {
			t, err := time.Parse(layout, s)
			return err == nil && t.Format(layout) == s
		}
	}
	return false
}

// validFileName accepts what a bundle accepts as NAME in files/NAME, in
// short: one path element, no control character, at most 255 bytes. The
// bundle writer and reader check it fully.
func validFileName(s string) bool {
	if s == "" || len(s) > 255 || s == "." || s == ".." || strings.ContainsAny(s, "/\\") {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// CheckValue checks the values of one answer against its field, as
// [CheckAnswers] does, for a client that asks one question at a time.
func CheckValue(fl *Field, values []string) error {
	if len(values) == 0 {
		return fmt.Errorf("%w: field %s: no value", ErrAnswers, fl.ID)
	}
	if err := checkValue(fl, values); err != nil {
		return fmt.Errorf("%w: field %s: %v", ErrAnswers, fl.ID, err)
	}
	return nil
}
