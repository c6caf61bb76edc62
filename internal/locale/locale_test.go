package locale

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func testCatalogues(t *testing.T) *Catalogues {
	t.Helper()
	c, err := Load(fstest.MapFS{
		"l/en.json":       {Data: []byte(`{"_name":"English","hi":"Hello {0}, {1}","only_en":"English only"}`)},
		"l/it.json":       {Data: []byte(`{"_name":"Italiano","hi":"Ciao {0}, {1}"}`)},
		"l/_context.json": {Data: []byte(`{"hi":"a greeting"}`)},
	}, "l/*.json")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestT(t *testing.T) {
	c := testCatalogues(t)
	for _, tc := range []struct{ lang, key, want string }{
		{"it", "hi", "Ciao Ada, 3"},
		{"en", "hi", "Hello Ada, 3"},
		{"it", "only_en", "English only"}, // falls back to English
		{"xx", "hi", "Hello Ada, 3"},      // unknown language
		{"it", "missing", "missing"},      // unknown key shows as itself
	} {
		if got := c.T(tc.lang, tc.key, "Ada", 3); got != tc.want {
			t.Errorf("T(%q, %q) = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
}

func TestLangsSkipNotes(t *testing.T) {
	c := testCatalogues(t)
	if got := c.Langs(); !slices.Equal(got, []string{"en", "it"}) {
		t.Fatalf("Langs() = %v", got)
	}
	if c.Has("_context") || !c.Has("it") {
		t.Fatal("Has is wrong")
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	c := testCatalogues(t)
	for h, want := range map[string]string{
		"":                           "en",
		"it-IT,it;q=0.9,en;q=0.8":    "it",
		"de-DE, IT;q=0.5":            "it",
		"fr,de":                      "en",
		"_context":                   "en",
		strings.Repeat("x,", 10_000): "en",
	} {
		if got := c.FromAcceptLanguage(h); got != want {
			t.Errorf("FromAcceptLanguage(%.20q) = %q, want %q", h, got, want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"bad json":   {"l/en.json": {Data: []byte(`{"a":`)}},
		"not string": {"l/en.json": {Data: []byte(`{"a":1}`)}},
		"no english": {"l/it.json": {Data: []byte(`{}`)}},
	} {
		if _, err := Load(fsys, "l/*.json"); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}
