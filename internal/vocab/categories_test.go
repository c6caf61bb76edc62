package vocab

import (
	"testing"

	"difesa.org/difesa/internal/bundle"
)

// TestFromCategoryCoversEveryCategory requires an act for each category a
// report can have, so that the desk always has a first guess.
func TestFromCategoryCoversEveryCategory(t *testing.T) {
	t.Parallel()
	for _, c := range bundle.Categories {
		code, ok := FromCategory(c.ID)
		if !ok {
			t.Errorf("category %q (%s) has no act", c.ID, c.Title)
			continue
		}
		if term, ok := Lookup(code); !ok || term.Scheme != SchemeAct {
			t.Errorf("category %q maps to %q, which is not an act", c.ID, code)
		}
	}
	if len(fromCategory) > len(bundle.Categories) {
		t.Errorf("%d categories mapped, %d exist: remove the mapping of a category that is gone", len(fromCategory), len(bundle.Categories))
	}
	if code, ok := FromCategory("from_a_newer_client"); ok {
		t.Errorf("an unknown category maps to %q, want none", code)
	}
	if code, _ := FromCategory("other"); code != "act.other" {
		t.Errorf("other maps to %q, want act.other", code)
	}
}
