package form

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckAnswers(t *testing.T) {
	t.Parallel()
	f := exampleForm(t)
	h := Hash(exampleBytes(t, nil))
	base := func() *Answers {
		return &Answers{Form: f.ID, Version: f.Version, Hash: h, Answers: map[string][]string{
			"setting": {"school"}, "school_level": {"media"}, "ground": {"origin", "religion"},
			"safe_now": {"no"}, "danger": {"They wait outside.\nEvery night."}, "when": {"2026-11-01/2026-11-20"},
			"people": {"-3.5"}, "evidence": {"photo.jpg", "nota.txt"},
		}}
	}
	if err := CheckAnswers(f, h, base()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		edit func(a *Answers)
		want error
	}{
		{"form swapped (hash)", func(a *Answers) { a.Hash = strings.Repeat("0", 64) }, ErrMismatch},
		{"older version", func(a *Answers) { a.Version = 1 }, ErrMismatch},
		{"other form", func(a *Answers) { a.Form = "safety" }, ErrMismatch},
		{"hidden field answered", func(a *Answers) { a.Answers["setting"] = []string{"work"} }, ErrAnswers},
		{"field hidden by a hidden field", func(a *Answers) { a.Answers["safe_now"] = []string{"yes"} }, ErrAnswers},
		{"required shown field missing", func(a *Answers) { delete(a.Answers, "danger") }, ErrAnswers},
		{"required field missing", func(a *Answers) { delete(a.Answers, "setting"); delete(a.Answers, "school_level") }, ErrAnswers},
		{"unknown field", func(a *Answers) { a.Answers["name"] = []string{"Maria"} }, ErrAnswers},
		{"unknown choice", func(a *Answers) { a.Answers["ground"] = []string{"wealth"} }, ErrAnswers},
		{"choice twice", func(a *Answers) { a.Answers["ground"] = []string{"age", "age"} }, ErrAnswers},
		{"two values for one", func(a *Answers) { a.Answers["setting"] = []string{"school", "work"} }, ErrAnswers},
		{"maybe", func(a *Answers) { a.Answers["safe_now"] = []string{"maybe"} }, ErrAnswers},
		{"number", func(a *Answers) { a.Answers["people"] = []string{"1e9"} }, ErrAnswers},
		{"date", func(a *Answers) { a.Answers["when"] = []string{"2026-02-30"} }, ErrAnswers},
		{"period backwards", func(a *Answers) { a.Answers["when"] = []string{"2026-11-20/2026-11-01"} }, ErrAnswers},
		{"text too long", func(a *Answers) { a.Answers["school_level"] = []string{strings.Repeat("x", 101)} }, ErrAnswers},
		{"newline in a short text", func(a *Answers) { a.Answers["school_level"] = []string{"a\nb"} }, ErrAnswers},
		{"file path", func(a *Answers) { a.Answers["evidence"] = []string{"../x"} }, ErrAnswers},
		{"empty answer", func(a *Answers) { a.Answers["ground"] = []string{} }, ErrAnswers},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := base()
			tt.edit(a)
			if err := CheckAnswers(f, h, a); !errors.Is(err, tt.want) {
				t.Fatalf("CheckAnswers = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseAnswers(t *testing.T) {
	t.Parallel()
	h := strings.Repeat("ab", 32)
	a := &Answers{Form: "discrimination", Version: 2, Hash: h, Answers: map[string][]string{"setting": {"school"}, "ground": {"age"}}}
	b, err := a.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"form":"discrimination","version":2,"hash":"` + h + `","answers":{"ground":["age"],"setting":["school"]}}`
	if string(b) != want {
		t.Fatalf("Marshal = %s", b)
	}
	if _, err := ParseAnswers(b); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, in, code string }{
		{"duplicate answer", `{"form":"f","version":1,"hash":"` + h + `","answers":{"a":["x"],"a":["y"]}}`, "answers_invalid"},
		{"case-folded member", `{"Form":"f","version":1,"hash":"` + h + `","answers":{}}`, "answers_invalid"},
		{"unknown member", `{"form":"f","version":1,"hash":"` + h + `","answers":{},"name":"x"}`, "answers_invalid"},
		{"short hash", `{"form":"f","version":1,"hash":"ab","answers":{}}`, "answers_invalid"},
		{"not a list", `{"form":"f","version":1,"hash":"` + h + `","answers":{"a":"x"}}`, "answers_invalid"},
		{"empty value", `{"form":"f","version":1,"hash":"` + h + `","answers":{"a":[""]}}`, "answers_invalid"},
		{"too many values", `{"form":"f","version":1,"hash":"` + h + `","answers":{"a":[` + strings.Repeat(`"x",`, 100) + `"x"]}}`, "form_too_large"},
		{"too large", strings.Repeat(" ", MaxAnswersSize+1), "form_too_large"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAnswers([]byte(tt.in))
			if Code(err) != tt.code {
				t.Fatalf("ParseAnswers = %v, want %s", err, tt.code)
			}
		})
	}
}
