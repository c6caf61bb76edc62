package form

import (
	"errors"
	"strings"
	"testing"
)

// fill writes answers under the sections of a template.
func fill(tmpl string, answers map[string]string) string {
	var b strings.Builder
	for line := range strings.Lines(tmpl) {
		b.WriteString(line)
		if id, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "## "); ok && answers[id] != "" {
			b.WriteString(answers[id] + "\n")
		}
	}
	return b.String()
}

// TestTemplateRoundTrip: a template of the example form, filled in (with
// CRLF and a BOM, as a Windows editor saves it), reads back as the answers
// a bundle of the form holds.
func TestTemplateRoundTrip(t *testing.T) {
	b := exampleBytes(t, nil)
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	h := Hash(b)
	for _, lang := range []string{"it", "en"} {
		tmpl := string(Template(f, h, lang))
		if !strings.Contains(tmpl, "# "+f.In(f.Fields[0].Label, lang)) {
			t.Fatalf("%s: the template does not show the question:\n%s", lang, tmpl)
		}
		filled := fill(tmpl, map[string]string{
			"setting": "school", "school_level": "liceo", "ground": "origin\nreligion",
			"safe_now": "no", "danger": "line one\n\nline # three", "when": "2026-11-01/2026-11-20", "people": "3",
		})
		filled = "\ufeff" + strings.ReplaceAll(filled, "\n", "\r\n")
		ft, err := ParseTemplate([]byte(filled))
		if err != nil {
			t.Fatal(err)
		}
		a, err := ft.Answers(f, h)
		if err != nil {
			t.Fatal(err)
		}
		want := &Answers{Form: f.ID, Version: f.Version, Hash: h, Answers: map[string][]string{
			"setting": {"school"}, "school_level": {"liceo"}, "ground": {"origin", "religion"},
			"safe_now": {"no"}, "danger": {"line one\n\nline # three"}, "when": {"2026-11-01/2026-11-20"}, "people": {"3"},
		}}
		got, _ := a.Marshal()
		exp, _ := want.Marshal()
		if string(got) != string(exp) {
			t.Fatalf("%s: answers\n%s\nwant\n%s", lang, got, exp)
		}
	}
}

// TestTemplateRefusals: malformed, oversized and mismatched templates are
// refused with their codes.
func TestTemplateRefusals(t *testing.T) {
	b := exampleBytes(t, nil)
	f, _ := Parse(b)
	h := Hash(b)
	good := string(Template(f, h, "en"))
	other := strings.Replace(good, "version: 2", "version: 1", 1)
	for _, tc := range []struct {
		name, text string
		want       error
	}{
		{"no magic", strings.Replace(good, TemplateMagic, "hello", 1), ErrAnswers},
		{"bad hash", strings.Replace(good, "hash: ", "hash: x", 1), ErrAnswers},
		{"bad version", strings.Replace(good, "version: 2", "version: 02", 1), ErrAnswers},
		{"duplicate section", good + "\n## setting\nwork\n", ErrAnswers},
		{"bad field id", good + "\n## Setting!\n", ErrAnswers},
		{"text before questions", strings.Replace(good, "\n## setting", "\nhello\n## setting", 1), ErrAnswers},
		{"too large", good + strings.Repeat("x", MaxTemplateSize), ErrTooLarge},
		{"not utf-8", good + "\xff", ErrAnswers},
		{"unknown field", good + "\n## nope\nx\n", ErrAnswers},
		{"two lines for one", fill(good, map[string]string{"setting": "school\nwork", "safe_now": "yes"}), ErrAnswers},
		{"not a choice", fill(good, map[string]string{"setting": "beach", "safe_now": "yes"}), ErrAnswers},
		{"required missing", fill(good, map[string]string{"setting": "work"}), ErrAnswers},
		{"not shown", fill(good, map[string]string{"setting": "work", "safe_now": "yes", "school_level": "x"}), ErrAnswers},
		{"files offline", fill(good, map[string]string{"setting": "work", "safe_now": "yes", "evidence": "photo.jpg"}), ErrAnswers},
		{"other version", fill(other, map[string]string{"setting": "work", "safe_now": "yes"}), ErrMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ft, err := ParseTemplate([]byte(tc.text))
			if err == nil {
				_, err = ft.Answers(f, h)
			}
			if !errors.Is(err, tc.want) || Code(err) == "" {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// FuzzParseTemplate: ParseTemplate never panics; every refusal has a code;
// what it accepts turns into answers or a coded refusal.
func FuzzParseTemplate(f *testing.F) {
	b := exampleBytes(f, nil)
	fm, _ := Parse(b)
	h := Hash(b)
	f.Add(Template(fm, h, "en"))
	f.Add([]byte(fill(string(Template(fm, h, "it")), map[string]string{"setting": "school", "safe_now": "no", "danger": "x\ny"})))
	f.Add([]byte(TemplateMagic + "\r\nform: a\r\nversion: 1\r\nhash: " + h + "\r\n## a\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		ft, err := ParseTemplate(in)
		if err != nil {
			if Code(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		if _, err := ft.Answers(fm, h); err != nil && Code(err) == "" {
			t.Fatalf("error without a code: %v", err)
		}
	})
}
