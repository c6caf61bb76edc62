package form

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TemplateMagic is the first line of a plain-text template: the offline
// route of a form, filled in by hand and encrypted with age (1.3 or newer)
// (docs/forms.md, "The offline template").
const TemplateMagic = "difesa-form-template/v1"

// MaxTemplateSize bounds a filled template's bytes.
const MaxTemplateSize = MaxAnswersSize

// Template returns the plain-text template of f (whose signed bytes hash
// to hash) in lang: the header naming the form, then one "## field-id"
// section per question, the question and its rules as "#" comments.
func Template(f *Form, hash, lang string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nform: %s\nversion: %d\nhash: %s\n", TemplateMagic, f.ID, f.Version, hash)
	comment := func(s string) {
		for line := range strings.Lines(s) {
			b.WriteString("# " + strings.TrimRight(line, "\n") + "\n")
		}
	}
	comment(f.In(f.Title, lang))
	if h := f.In(f.Help, lang); h != "" {
		comment(h)
	}
	comment("Write each answer under its question; lines that begin with # are ignored.\nLeave a question you do not answer empty. Do not change the lines above.")
	for i := range f.Fields {
		fl := &f.Fields[i]
		fmt.Fprintf(&b, "\n## %s\n", fl.ID)
		comment(f.In(fl.Label, lang))
		if h := f.In(fl.Help, lang); h != "" {
			comment(h)
		}
		var rule string
		switch fl.Type {
		case TypeSingleChoice, TypeMultipleChoice:
			rule = "one of these ids"
			if fl.Type == TypeMultipleChoice {
				rule = "one or more of these ids, one per line"
			}
			for _, c := range fl.Choices {
				comment("  " + c.ID + " = " + f.In(c.Label, lang))
			}
		case TypeYesNo:
			rule = "yes or no"
		case TypeNumber:
			rule = "a number, like 12 or 3.5"
		case TypeDate:
			rule = "a date (2026, 2026-11, 2026-11-20) or a period (2026-11-01/2026-11-20)"
		case TypeLongText:
			rule = "free text, several lines"
		case TypeFiles:
			rule = "cannot be filled in offline: leave empty"
		default:
			rule = "one line"
		}
		if fl.Required {
			rule += "; required"
		}
		if c := fl.ShowIf; c != nil {
			rule += "; only if " + c.Field + " is " + strings.Join(c.Values, " or ")
		}
		comment("(" + rule + ")")
	}
	return b.Bytes()
}

// FilledTemplate is a template as a defender filled it in: the form it
// names and the text under each section.
type FilledTemplate struct {
	Form    string
	Version uint64
	Hash    string
	// Sections holds, per field id, the answer lines (comments and the
	// blank lines around the answer removed); absent when left empty.
	Sections map[string][]string
}

// IsTemplate reports whether b starts like a template.
func IsTemplate(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	return bytes.HasPrefix(b, []byte(TemplateMagic+"\n")) || bytes.HasPrefix(b, []byte(TemplateMagic+"\r\n"))
}

// ParseTemplate reads a filled template strictly: at most
// [MaxTemplateSize] bytes of UTF-8 (CRLF and a leading BOM, as editors
// write them, are accepted), the magic line, the form, version and hash
// lines, then "## field-id" sections, each field once, at most
// [MaxFields]. Refusals wrap [ErrAnswers] or [ErrTooLarge].
func ParseTemplate(b []byte) (*FilledTemplate, error) {
	if len(b) > MaxTemplateSize {
		return nil, fmt.Errorf("%w: the template is %d bytes, at most %d", ErrTooLarge, len(b), MaxTemplateSize)
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: the template is not UTF-8 text", ErrAnswers)
	}
	s := strings.ReplaceAll(strings.TrimPrefix(string(b), "\ufeff"), "\r\n", "\n")
	lines := strings.Split(s, "\n")
	if len(lines) < 4 || lines[0] != TemplateMagic {
		return nil, fmt.Errorf("%w: not a filled form template (the first line must be %s)", ErrAnswers, TemplateMagic)
	}
	t := &FilledTemplate{Sections: map[string][]string{}}
	header := func(i int, name string) (string, error) {
		v, ok := strings.CutPrefix(lines[i], name+": ")
		if !ok {
			return "", fmt.Errorf("%w: template line %d must be %q followed by a value", ErrAnswers, i+1, name+": ")
		}
		return v, nil
	}
	var err error
	if t.Form, err = header(1, "form"); err != nil {
		return nil, err
	}
	v, err := header(2, "version")
	if err != nil {
		return nil, err
	}
	if t.Version, err = strconv.ParseUint(v, 10, 64); err != nil || strconv.FormatUint(t.Version, 10) != v {
		return nil, fmt.Errorf("%w: template version %q is not a number", ErrAnswers, truncate(v))
	}
	if t.Hash, err = header(3, "hash"); err != nil {
		return nil, err
	}
	if !validFormID(t.Form) || t.Version == 0 || t.Version > MaxVersion || !validHash(t.Hash) {
		return nil, fmt.Errorf("%w: the template's form, version or hash line is malformed", ErrAnswers)
	}
	cur := ""
	for n, line := range lines[4:] {
		if id, ok := strings.CutPrefix(line, "## "); ok {
			id = strings.TrimSpace(id)
			if !validFieldID(id) {
				return nil, fmt.Errorf("%w: template line %d: %q is not a field id", ErrAnswers, n+5, truncate(id))
			}
			if _, dup := t.Sections[id]; dup {
				return nil, fmt.Errorf("%w: template line %d: field %s appears twice", ErrAnswers, n+5, id)
			}
			if len(t.Sections) == MaxFields {
				return nil, fmt.Errorf("%w: the template has more than %d sections", ErrTooLarge, MaxFields)
			}
			cur = id
			t.Sections[id] = nil
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		if cur == "" {
			if strings.TrimSpace(line) != "" {
				return nil, fmt.Errorf("%w: template line %d: text before the first question", ErrAnswers, n+5)
			}
			continue
		}
		t.Sections[cur] = append(t.Sections[cur], line)
	}
	for id, ls := range t.Sections {
		for len(ls) > 0 && strings.TrimSpace(ls[0]) == "" {
			ls = ls[1:]
		}
		for len(ls) > 0 && strings.TrimSpace(ls[len(ls)-1]) == "" {
			ls = ls[:len(ls)-1]
		}
		if len(ls) == 0 {
			delete(t.Sections, id)
			continue
		}
		t.Sections[id] = ls
	}
	return t, nil
}

// Answers turns the filled template into the answers of f, whose signed
// bytes hash to hash, as a bundle made with the form would hold them: a
// long text keeps its lines, a multiple choice takes one id per line,
// every other type one line. They are then checked ([CheckAnswers]):
// another form than the template names is [ErrMismatch].
func (t *FilledTemplate) Answers(f *Form, hash string) (*Answers, error) {
	a := &Answers{Form: t.Form, Version: t.Version, Hash: t.Hash, Answers: map[string][]string{}}
	if a.Form != f.ID || a.Version != f.Version || a.Hash != hash {
		return nil, CheckAnswers(f, hash, a)
	}
	for id, ls := range t.Sections {
		fl := f.Field(id)
		if fl == nil {
			return nil, fmt.Errorf("%w: %s is no field of form %q", ErrAnswers, id, f.ID)
		}
		switch fl.Type {
		case TypeFiles:
			// A template travels alone: no attachment can be named.
			return nil, fmt.Errorf("%w: field %s: files cannot be given in an offline template", ErrAnswers, id)
		case TypeLongText:
			a.Answers[id] = []string{strings.Join(ls, "\n")}
		case TypeMultipleChoice:
			for _, l := range ls {
				if l = strings.TrimSpace(l); l != "" {
					a.Answers[id] = append(a.Answers[id], l)
				}
			}
		default:
			if len(ls) != 1 {
				return nil, fmt.Errorf("%w: field %s: %d lines, its answer is one line", ErrAnswers, id, len(ls))
			}
			a.Answers[id] = []string{strings.TrimSpace(ls[0])}
		}
	}
	if err := CheckAnswers(f, hash, a); err != nil {
		return nil, err
	}
	return a, nil
}
