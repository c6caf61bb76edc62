package vocab

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestLabelsAvoidTheGlossarysWords holds the labels to docs/glossary.json:
// a word the glossary says must not appear anywhere in a language (one
// that would read as another concept, such as "sign up" for a check-in)
// must not appear in the vocabulary's labels in that language either.
func TestLabelsAvoidTheGlossarysWords(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../docs/glossary.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Concepts []struct {
			ID    string `json:"id"`
			Terms map[string]struct {
				Avoid []string `json:"avoid"`
			} `json:"terms"`
		} `json:"concepts"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, c := range g.Concepts {
		for lang, term := range c.Terms {
			labels := shared.labels[lang]
			for _, a := range term.Avoid {
				re, err := regexp.Compile(a)
				if err != nil {
					t.Fatalf("glossary %s/%s: %v", c.ID, lang, err)
				}
				checked++
				for code, l := range labels {
					if re.MatchString(strings.ToLower(l)) {
						t.Errorf("%s label of %s, %q, has %q, which the glossary's %s avoids", lang, code, l, a, c.ID)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no glossary word checked")
	}
}
