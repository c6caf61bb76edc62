// Package locale holds message catalogues: the defender pages' and the
// desk's, which speak the same languages and must load, fall back and
// pick a language the same way.
//
// A catalogue is one JSON file per language (LANG.json): a flat object of
// message keys to text with {0}, {1}… placeholders, plus "_name" (the
// language's own name, for a picker) and "_dir" ("ltr" or "rtl"). Files
// whose name starts with "_" are not languages (notes for translators).
// English is the reference: a missing key falls back to it.
package locale

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// Default is the language of the reference catalogue.
const Default = "en"

// Catalogues are the catalogues of one set of pages.
type Catalogues struct {
	byLang map[string]map[string]string
	langs  []string
}

// MustLoad reads the catalogues matching pattern in fsys. It panics on a
// file that does not parse: catalogues are embedded at build time, and
// the tests of every package that embeds them parse every file.
func MustLoad(fsys fs.FS, pattern string) *Catalogues {
	c, err := Load(fsys, pattern)
	if err != nil {
		panic(err)
	}
	return c
}

// Load reads the catalogues matching pattern in fsys.
func Load(fsys fs.FS, pattern string) (*Catalogues, error) {
	files, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, fmt.Errorf("locale: unable to list %s: %w", pattern, err)
	}
	c := &Catalogues{byLang: map[string]map[string]string{}}
	for _, f := range files {
		if strings.HasPrefix(path.Base(f), "_") {
			continue
		}
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("locale: unable to read %s: %w", f, err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("locale: unable to parse %s: %w", f, err)
		}
		code := strings.TrimSuffix(path.Base(f), ".json")
		c.byLang[code] = m
		c.langs = append(c.langs, code)
	}
	if c.byLang[Default] == nil {
		return nil, fmt.Errorf("locale: no %s.json among %s", Default, pattern)
	}
	slices.Sort(c.langs)
	return c, nil
}

// Langs returns the language codes, sorted.
func (c *Catalogues) Langs() []string { return slices.Clone(c.langs) }

// Has reports whether lang has a catalogue.
func (c *Catalogues) Has(lang string) bool { return c.byLang[lang] != nil }

// Messages returns lang's catalogue as it is in its file (nil for an
// unknown language). Callers must not change it.
func (c *Catalogues) Messages(lang string) map[string]string { return c.byLang[lang] }

// T returns the message key in lang with args in its placeholders, the
// English one when lang lacks it. An unknown key is returned as it is, so
// that a missing message shows, and the tests catch it.
func (c *Catalogues) T(lang, key string, args ...any) string {
	s, ok := c.byLang[lang][key]
	if !ok {
		if s, ok = c.byLang[Default][key]; !ok {
			return key
		}
	}
	for i, a := range args {
		s = strings.ReplaceAll(s, fmt.Sprintf("{%d}", i), fmt.Sprint(a))
	}
	return s
}

// FromAcceptLanguage returns the first language of an Accept-Language
// header that has a catalogue (by its base: "pt-BR" is "pt"), or Default.
// Weights are ignored: browsers list languages in the user's order.
func (c *Catalogues) FromAcceptLanguage(header string) string {
	for _, part := range strings.Split(header, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if c.byLang[base] != nil {
			return base
		}
	}
	return Default
}
