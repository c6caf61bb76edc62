package cli

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"difesa.org/difesa/internal/cap"
)

// The words "difesa bulletins" prints around a bulletin's own text —
// "severity:", "What to do:", CAP's values such as Severe or Likely — in
// the languages the hub's web pages speak. The bulletin's text is the
// admin's, in the info block chosen for the reader (see pickInfo); the
// labels are in the reader's language when difesa has it, else in the
// language of the block shown, else in English: a reader who asked for a
// language reads the labels in it, even when the bulletin is not written
// in it. Keys are the English label, or "kind:Value" for CAP's values.
// English is the reference: every catalogue has every key (a test checks).
// The catalogues are bulletin_locales/*.json, beside the defender's
// messages, so that the glossary test (internal/glossary) reads them too.
var bulletinLabels = loadBulletinLabels()

//go:embed bulletin_locales/*.json
var bulletinLabelFS embed.FS

func loadBulletinLabels() map[string]map[string]string {
	files, err := fs.Glob(bulletinLabelFS, "bulletin_locales/*.json")
	if err != nil {
		panic(fmt.Sprintf("cli: bulletin labels: %v", err))
	}
	out := map[string]map[string]string{}
	for _, f := range files {
		b, err := bulletinLabelFS.ReadFile(f)
		if err != nil {
			panic(fmt.Sprintf("cli: %s: %v", f, err))
		}
		var c map[string]string
		if err := json.Unmarshal(b, &c); err != nil {
			panic(fmt.Sprintf("cli: %s: %v", f, err)) // embedded at build time; the tests parse every file
		}
		out[strings.TrimSuffix(path.Base(f), ".json")] = c
	}
	return out
}

// labels prints the words around bulletins in one language.
type labels struct{ lang string }

// labelsFor returns the labels for a reader who asked for lang (from -lang
// or the environment, maybe "") and is shown the info block shown (maybe
// nil): lang if difesa has it, else the block's language, else English.
func labelsFor(lang string, shown *cap.Info) labels {
	if l := primaryTag(lang); lang != "" && bulletinLabels[l] != nil {
		return labels{l}
	}
	if shown != nil {
		if l := primaryTag(shown.Language); bulletinLabels[l] != nil {
			return labels{l}
		}
	}
	return labels{"en"}
}

// t returns the label key, formatted with args; a key no catalogue has
// (a value outside CAP's, which cap.Check does not let through) is itself.
func (l labels) t(key string, args ...any) string {
	s, ok := bulletinLabels[l.lang][key]
	if !ok {
		if s, ok = bulletinLabels["en"][key]; !ok {
			s = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// value returns CAP's value v of kind (sev, urg, cert, cat, status) in
// the labels' language.
func (l labels) value(kind, v string) string {
	if v == "Unknown" && kind != "cat" && kind != "status" {
		return l.t("Unknown")
	}
	if _, ok := bulletinLabels["en"][kind+":"+v]; !ok {
		return clean(v)
	}
	return l.t(kind + ":" + v)
}

// values returns CAP's values of kind, in the labels' language, joined.
func (l labels) values(kind string, vs []string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = l.value(kind, v)
	}
	return strings.Join(out, ", ")
}

// time formats a CAP date-time in local time, for people: with English
// day and month names in English, as digits in every other language.
func (l labels) time(s string) string {
	t, err := cap.ParseTime(s)
	if err != nil {
		return clean(s)
	}
	if l.lang == "en" {
		return t.Local().Format("Mon 2 Jan 2006 15:04 MST")
	}
	return t.Local().Format("2006-01-02 15:04 MST")
}
