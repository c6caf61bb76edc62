package glossary

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// glossaryFile is docs/glossary.json, described in docs/glossary.md.
type glossaryFile struct {
	Comment    string                     `json:"_comment"`
	Concepts   []concept                  `json:"concepts"`
	TorBrowser map[string]json.RawMessage `json:"tor_browser"`
}

type concept struct {
	ID   string `json:"id"`
	Note string `json:"note"`
	EN   struct {
		Term  string   `json:"term"`
		Match []string `json:"match"`
	} `json:"en"`
	Terms  map[string]term              `json:"terms"`
	Except map[string]map[string]string `json:"except"`
}

type term struct {
	Term      string   `json:"term"`
	Stems     []string `json:"stems"`
	Avoid     []string `json:"avoid"`
	AvoidHere []string `json:"avoid_here"`
}

// entry is one string of a catalogue, with the English it translates.
type entry struct {
	where, key, text, en string
}

func readGlossary(t *testing.T, path string) glossaryFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var g glossaryFile
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return g
}

// webEntries reads internal/web/locales: lang → strings.
func webEntries(t *testing.T, dir string) map[string][]entry {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	cats := map[string]map[string]string{}
	for _, f := range files {
		lang := strings.TrimSuffix(filepath.Base(f), ".json")
		if strings.HasPrefix(lang, "_") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c map[string]string
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		cats[lang] = c
	}
	out := map[string][]entry{}
	for lang, c := range cats {
		for k, v := range c {
			if strings.HasPrefix(k, "_") {
				continue
			}
			out[lang] = append(out[lang], entry{"web", k, v, cats["en"][k]})
		}
	}
	return out
}

// notifyEntries reads internal/notify/messages.json: lang → strings, one
// per plural form, each with the English of the same form (or "other").
func notifyEntries(t *testing.T, path string) map[string][]entry {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	cats := map[string]map[string]map[string]string{}
	for lang, v := range raw {
		if strings.HasPrefix(lang, "_") {
			continue
		}
		var m map[string]map[string]string
		if err := json.Unmarshal(v, &m); err != nil {
			t.Fatalf("%s: %s: %v", path, lang, err)
		}
		cats[lang] = m
	}
	out := map[string][]entry{}
	for lang, c := range cats {
		for k, forms := range c {
			for form, s := range forms {
				en, ok := cats["en"][k][form]
				if !ok {
					en = cats["en"][k]["other"]
				}
				out[lang] = append(out[lang], entry{"notify", k + "." + form, s, en})
			}
		}
	}
	return out
}

// allEntries is every catalogue the glossary governs: the web pages, the
// notifications, the defender's messages of the CLI and the desk.
func allEntries(t *testing.T) map[string][]entry {
	out := webEntries(t, "../web/locales")
	for lang, es := range notifyEntries(t, "../notify/messages.json") {
		out[lang] = append(out[lang], es...)
	}
	for lang, es := range webEntries(t, "../cli/locales") {
		for _, e := range es {
			e.where = "cli"
			out[lang] = append(out[lang], e)
		}
	}
	for lang, es := range webEntries(t, "../cli/bulletin_locales") {
		for _, e := range es {
			e.where = "bulletin"
			out[lang] = append(out[lang], e)
		}
	}
	for lang, es := range webEntries(t, "../desk/locales") {
		for _, e := range es {
			e.where = "desk"
			out[lang] = append(out[lang], e)
		}
	}
	for lang := range out {
		slices.SortFunc(out[lang], func(a, b entry) int { return strings.Compare(a.where+a.key, b.where+b.key) })
	}
	return out
}

func compile(t *testing.T, where string, res []string) []*regexp.Regexp {
	t.Helper()
	var out []*regexp.Regexp
	for _, s := range res {
		re, err := regexp.Compile(s)
		if err != nil {
			t.Fatalf("glossary: %s: %q: %v", where, s, err)
		}
		out = append(out, re)
	}
	return out
}

func matchAny(res []*regexp.Regexp, s string) string {
	for _, re := range res {
		if m := re.FindString(s); m != "" {
			return m
		}
	}
	return ""
}

// placeholder is what is not words of the language, and so never holds a
// glossary term: a {0} of the pages, a {hub} of the notifications, a fmt
// verb, a command-line flag (-hub) or an address of the CLI.
var placeholder = regexp.MustCompile(`\{[a-z0-9]+\}|%[a-z]|\S+://\S+|(^|[\s(])--?[a-z][a-z-]*`)

// check returns the glossary violations of the catalogues, one line each.
func check(t *testing.T, g glossaryFile, cats map[string][]entry) []string {
	t.Helper()
	var bad []string
	for _, c := range g.Concepts {
		about := compile(t, c.ID+": en.match", c.EN.Match)
		for lang, tm := range c.Terms {
			if cats[lang] == nil {
				bad = append(bad, fmt.Sprintf("glossary: %s: %s: no catalogue in this language", c.ID, lang))
				continue
			}
			stems := compile(t, c.ID+": "+lang+".stems", tm.Stems)
			avoid := compile(t, c.ID+": "+lang+".avoid", tm.Avoid)
			avoidHere := compile(t, c.ID+": "+lang+".avoid_here", tm.AvoidHere)
			for _, e := range cats[lang] {
				text := strings.ToLower(placeholder.ReplaceAllString(e.text, ""))
				if w := matchAny(avoid, text); w != "" {
					bad = append(bad, fmt.Sprintf("%s: %s %s: %q uses %q, which the glossary avoids (%s)", lang, e.where, e.key, e.text, w, c.ID))
				}
				if matchAny(about, strings.ToLower(placeholder.ReplaceAllString(e.en, ""))) == "" {
					continue
				}
				if w := matchAny(avoidHere, text); w != "" {
					bad = append(bad, fmt.Sprintf("%s: %s %s: %q uses %q, the word of another concept, for %s", lang, e.where, e.key, e.text, w, c.ID))
				}
				if len(stems) > 0 && matchAny(stems, text) == "" {
					if excepted(c.Except[lang], e) {
						continue
					}
					bad = append(bad, fmt.Sprintf("%s: %s %s: %q does not use the glossary's %q for %s (English: %q)", lang, e.where, e.key, e.text, tm.Term, c.ID, e.en))
				}
			}
		}
	}
	slices.Sort(bad)
	return bad
}

// excepted reports whether the glossary lets e say the concept another
// way: by its key, or for a notification by its key without the plural form.
func excepted(keys map[string]string, e entry) bool {
	if _, ok := keys[e.key]; ok {
		return true
	}
	if i := strings.LastIndex(e.key, "."); e.where == "notify" && i > 0 {
		_, ok := keys[e.key[:i]]
		return ok
	}
	return false
}

// TestCataloguesFollowTheGlossary: every string about a concept uses the
// language's chosen term, and no string uses a word the glossary avoids.
func TestCataloguesFollowTheGlossary(t *testing.T) {
	t.Parallel()
	g := readGlossary(t, "../../docs/glossary.json")
	for _, line := range check(t, g, allEntries(t)) {
		t.Error(line)
	}
}

// TestGlossaryCoversEveryLanguage: each concept has a term in every
// language the catalogues speak, and its exceptions name real keys.
func TestGlossaryCoversEveryLanguage(t *testing.T) {
	t.Parallel()
	g := readGlossary(t, "../../docs/glossary.json")
	cats := allEntries(t)
	for _, c := range g.Concepts {
		if c.Note == "" {
			t.Errorf("glossary: %s has no note", c.ID)
		}
		for lang := range cats {
			if _, ok := c.Terms[lang]; !ok && c.ID != "style" {
				t.Errorf("glossary: %s has no term in %s", c.ID, lang)
			}
		}
		for lang, keys := range c.Except {
			for k := range keys {
				if !slices.ContainsFunc(cats[lang], func(e entry) bool { return e.key == k || strings.HasPrefix(e.key, k+".") }) {
					t.Errorf("glossary: %s: except %s %s: no such key", c.ID, lang, k)
				}
			}
		}
	}
}

// TestGlossaryCatchesDrift: the check finds a Spanish notification that
// calls a report "informe" while the pages say "denuncia", and a
// Slovenian check-in called "prijava" (the report's word).
func TestGlossaryCatchesDrift(t *testing.T) {
	t.Parallel()
	g := readGlossary(t, "../../docs/glossary.json")
	cats := map[string][]entry{
		"en": {{"notify", "report.received.one", "1 new report at hub {hub}", "1 new report at hub {hub}"}},
		"es": {{"notify", "report.received.one", "1 nuevo informe en el hub {hub}", "1 new report at hub {hub}"}},
		"sl": {{"notify", "checkin.missed.one", "{count} zamujena prijava v središču {hub}", "A check-in was missed at hub {hub}"}},
	}
	bad := strings.Join(check(t, g, cats), "\n")
	for _, want := range []string{
		`es: notify report.received.one: "1 nuevo informe en el hub {hub}" uses "informe"`,
		`es: notify report.received.one: "1 nuevo informe en el hub {hub}" does not use the glossary's "denuncia"`,
		`sl: notify checkin.missed.one: "{count} zamujena prijava v središču {hub}" uses "prijav", the word of another concept`,
	} {
		if !strings.Contains(bad, want) {
			t.Errorf("drift not caught: want %s in\n%s", want, bad)
		}
	}
}

// torBrowser is docs/glossary.json's "tor_browser": Tor Browser's own
// labels in the interface a visitor of each language gets.
type torBrowser struct {
	Locale   string            `json:"locale"`
	Safer    string            `json:"safer"`
	Safest   string            `json:"safest"`
	Settings string            `json:"settings"`
	Gloss    map[string]string `json:"gloss"`
}

// TestTorBrowserLabels: the advice to lower the security level names the
// level, the way back and the button exactly as the visitor's Tor Browser
// shows them (in English, with a translation, where Tor Browser has no
// interface in the language), and says that the level is not per site.
func TestTorBrowserLabels(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docs/glossary.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		TorBrowser map[string]json.RawMessage `json:"tor_browser"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	cats := map[string]string{}
	for lang, es := range webEntries(t, "../web/locales") {
		for _, e := range es {
			if e.key == "nojs_safer" {
				cats[lang] = e.text
			}
		}
	}
	for lang, text := range cats {
		raw, ok := f.TorBrowser[lang]
		if !ok {
			t.Errorf("glossary: tor_browser has no %s", lang)
			continue
		}
		var tb torBrowser
		if err := json.Unmarshal(raw, &tb); err != nil {
			t.Fatalf("glossary: tor_browser.%s: %v", lang, err)
		}
		labels := []string{tb.Safer, tb.Safest, tb.Settings}
		if tb.Locale == "" {
			if len(tb.Gloss) != 3 {
				t.Errorf("glossary: tor_browser.%s: no interface in this language, so every label needs a gloss", lang)
			}
			for _, k := range []string{"safer", "safest", "settings"} {
				labels = append(labels, tb.Gloss[k])
			}
		}
		for _, l := range labels {
			if l == "" || !strings.Contains(text, l) {
				t.Errorf("%s: nojs_safer %q lacks Tor Browser's label %q", lang, text, l)
			}
		}
	}
	if en := cats["en"]; !strings.Contains(en, "every site") || !strings.Contains(en, "set it back") {
		t.Errorf("en: nojs_safer %q does not say that the level applies to every site and can be set back", en)
	}
}

// TestGlossaryPageShowsEveryTerm: docs/glossary.md, which people read,
// shows every chosen term and Tor Browser label of glossary.json, which the
// tests read, so that the two cannot disagree.
func TestGlossaryPageShowsEveryTerm(t *testing.T) {
	t.Parallel()
	g := readGlossary(t, "../../docs/glossary.json")
	page, err := os.ReadFile("../../docs/glossary.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range g.Concepts {
		for lang, tm := range c.Terms {
			if tm.Term != "" && !strings.Contains(string(page), "| "+lang+" | **"+tm.Term+"** |") {
				t.Errorf("glossary.md: no row %s | **%s** for %s", lang, tm.Term, c.ID)
			}
		}
	}
	for lang, raw := range g.TorBrowser {
		var tb torBrowser
		if strings.HasPrefix(lang, "_") || json.Unmarshal(raw, &tb) != nil {
			continue
		}
		for _, l := range []string{tb.Safer, tb.Safest, tb.Settings} {
			if !strings.Contains(string(page), "| "+lang+" | ") || !strings.Contains(string(page), l) {
				t.Errorf("glossary.md: Tor Browser label %q of %s missing", l, lang)
			}
		}
	}
}
