package vocab

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestLabelsComplete requires a label for every shared term in every
// language, and no label for a code that is not a term.
func TestLabelsComplete(t *testing.T) {
	t.Parallel()
	codes := Codes()
	for _, lang := range Languages {
		t.Run(lang, func(t *testing.T) {
			data, err := files.ReadFile("labels/" + lang + ".json")
			if err != nil {
				t.Fatal(err)
			}
			var labels map[string]string
			if err := json.Unmarshal(data, &labels); err != nil {
				t.Fatal(err)
			}
			for _, c := range codes {
				l, ok := labels[c]
				if !ok {
					t.Errorf("%s has no %s label", c, lang)
					continue
				}
				if err := checkText(l, maxLabelRunes); err != nil {
					t.Errorf("%s label of %s %v", lang, c, err)
				}
				if strings.HasSuffix(l, ".") {
					t.Errorf("%s label of %s ends with a full stop: %q", lang, c, l)
				}
			}
			for c := range labels {
				if _, ok := shared.terms[c]; !ok {
					t.Errorf("labels/%s.json has a label for %q, which is not a term", lang, c)
				}
			}
			// Siblings must be told apart: no two children of one parent
			// share a label.
			for _, parent := range append(slices.Clone(Schemes), codes...) {
				seen := map[string]string{}
				for _, c := range Children(parent) {
					l := strings.ToLower(labels[c])
					if other, ok := seen[l]; ok {
						t.Errorf("%s: %s and %s share the label %q", lang, other, c, labels[c])
					}
					seen[l] = c
				}
			}
		})
	}
}

// TestLanguagesAreThePagesLanguages holds Languages to the languages of
// the defender pages, so that a new page language needs its labels here.
func TestLanguagesAreThePagesLanguages(t *testing.T) {
	t.Parallel()
	pages, err := filepath.Glob("../web/locales/*.json")
	if err != nil {
		t.Fatal(err)
	}
	var langs []string
	for _, p := range pages {
		if b := filepath.Base(p); !strings.HasPrefix(b, "_") {
			langs = append(langs, strings.TrimSuffix(b, ".json"))
		}
	}
	slices.Sort(langs)
	if want := slices.Sorted(slices.Values(Languages)); !slices.Equal(langs, want) {
		t.Errorf("the pages speak %q, the vocabulary %q", langs, want)
	}
	entries, err := os.ReadDir("labels")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	want := []string{"_context.json"}
	for _, l := range Languages {
		want = append(want, l+".json")
	}
	slices.Sort(want)
	if !slices.Equal(files, want) {
		t.Errorf("labels/ holds %q, want %q", files, want)
	}
}

// TestScopeNotes requires a scope note on every term but countries, and a
// note for translators that the labels await review.
func TestScopeNotes(t *testing.T) {
	t.Parallel()
	for _, c := range Codes() {
		term, _ := Lookup(c)
		if term.Scheme == SchemeCountry {
			continue
		}
		if err := checkText(term.Scope, maxScopeRunes); err != nil {
			t.Errorf("scope note of %s %v", c, err)
		}
	}
	data, err := files.ReadFile("labels/_context.json")
	if err != nil {
		t.Fatal(err)
	}
	var notes map[string]string
	if err := json.Unmarshal(data, &notes); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(notes["_review"], "native speakers") {
		t.Errorf("labels/_context.json has no _review note for native speakers; keys: %q", slices.Sorted(maps.Keys(notes)))
	}
}

// TestCategoryLabelsAreThePages requires the act a report category maps
// to to carry the category's label on the pages, in every language, so
// that the desk does not call one thing two names. Judicial harassment
// leaves out "/ SLAPP", a narrower term of its own here.
func TestCategoryLabelsAreThePages(t *testing.T) {
	t.Parallel()
	for _, lang := range Languages {
		data, err := os.ReadFile("../web/locales/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var pages map[string]string
		if err := json.Unmarshal(data, &pages); err != nil {
			t.Fatal(err)
		}
		for cat, code := range fromCategory {
			want := strings.TrimSuffix(pages["cat_"+cat], " / SLAPP")
			if got := Label(code, lang); got != want {
				t.Errorf("%s: %s is %q, the pages' %s is %q", lang, code, got, cat, want)
			}
		}
	}
}
