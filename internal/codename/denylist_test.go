package codename

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestDenylist checks the data file: every word is a word of the list,
// listed once, sorted within its group, and the words the issue named are
// there.
func TestDenylist(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	var group []string
	check := func() {
		if !slices.IsSorted(group) {
			t.Errorf("a group of denylist.txt is not in alphabetical order: %q", group)
		}
		group = nil
	}
	for i, l := range strings.Split(denylistFile, "\n") {
		w, _, _ := strings.Cut(l, "#")
		w = strings.TrimSpace(w)
		if w == "" {
			if !strings.HasPrefix(l, "#") {
				check()
			}
			continue
		}
		if _, ok := index[w]; !ok {
			t.Errorf("denylist.txt line %d: %q is not in the word list", i+1, w)
		}
		if seen[w] {
			t.Errorf("denylist.txt line %d: %q twice", i+1, w)
		}
		seen[w] = true
		group = append(group, w)
	}
	check()
	if len(seen) != len(denied) || ListSize-len(denied) != GenerableSize {
		t.Errorf("%d words in the file, %d denied, %d generable", len(seen), len(denied), GenerableSize)
	}
	for _, w := range []string{"autism", "aids", "casket", "handgun", "arrest", "grope", "imbecile"} {
		if !denied[w] {
			t.Errorf("%q is not denied", w)
		}
	}
}

// TestDeniedWordsStillRead: a codename handed out before its words were
// denied still parses and keeps its keys (docs/vectors/codename.json has
// the same codename's keys, computed before the denylist existed).
func TestDeniedWordsStillRead(t *testing.T) {
	t.Parallel()
	c, err := Parse("Autism AIDS casket handgun coma epileptic arrest")
	if err != nil {
		t.Fatal(err)
	}
	if c.String() != "autism-aids-casket-handgun-coma-epileptic-arrest" {
		t.Errorf("String() = %q", c.String())
	}
	for _, w := range c.Words() {
		if !denied[w] {
			t.Errorf("%q is not denied", w)
		}
	}
	if _, err := Parse("autism aids casket handgun coma epileptic zzz"); !errors.Is(err, ErrUnknownWord) {
		t.Errorf("a word outside the list: %v", err)
	}
}
