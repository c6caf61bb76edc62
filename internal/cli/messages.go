package cli

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
)

// The defender's messages in the defender's language. locales/en.json
// lists, under a key each, the English text of what the defender commands
// print on standard error (their messages, errors and hints), exactly as the
// code writes it, with its fmt verbs; the other files translate them, in the
// format of the web pages' catalogues (internal/web/locales) and with the
// same glossary (docs/glossary.md). The commands keep writing English:
// [env.translate] finds a finished message's English text in the catalogue
// and puts the same arguments into the translation, so the command files
// need no change and a text the catalogue lacks stays English. Standard
// output, which programs read, is never translated; neither are responder
// and admin commands, usage texts, nor the errors of the network, the
// operating system or the hub, which come in English.
//
//go:embed locales/*.json
var messageFS embed.FS

// defaultLang is the language of the code's own texts.
const defaultLang = "en"

var messageCatalogues, messageLangs = loadMessageCatalogues()

// englishFormats are the English texts as patterns that recover the
// arguments of a finished message, longest first so that the most specific
// one wins.
var englishFormats = compileFormats(messageCatalogues[defaultLang])

func loadMessageCatalogues() (map[string]map[string]string, []string) {
	files, err := fs.Glob(messageFS, "locales/*.json")
	if err != nil {
		panic(err)
	}
	out := map[string]map[string]string{}
	var langs []string
	for _, f := range files {
		lang := strings.TrimSuffix(path.Base(f), ".json")
		if strings.HasPrefix(lang, "_") {
			continue
		}
		b, err := messageFS.ReadFile(f)
		if err != nil {
			panic(err)
		}
		var c map[string]string
		if err := json.Unmarshal(b, &c); err != nil {
			panic(fmt.Sprintf("cli: %s: %v", f, err)) // embedded at build time; the tests parse every file
		}
		out[lang] = c
		langs = append(langs, lang)
	}
	slices.Sort(langs)
	return out, langs
}

// fmtVerb matches a fmt verb: %s, %q, %d, %v, %.1f, with an explicit argument
// index such as %[2]s allowed in translations.
var fmtVerb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[sqdvf]`)

type format struct {
	key string
	re  *regexp.Regexp
	lit int // length of the literal text, to try specific formats first
}

func compileFormats(en map[string]string) []format {
	var out []format
	for key, text := range en {
		if strings.HasPrefix(key, "_") {
			continue
		}
		var b strings.Builder
		b.WriteString(`(?s)^`)
		last := 0
		for _, m := range fmtVerb.FindAllStringIndex(text, -1) {
			b.WriteString(regexp.QuoteMeta(text[last:m[0]]))
			switch text[m[1]-1] {
			case 'q':
				b.WriteString(`("(?:[^"\\]|\\.)*")`)
			case 'd':
				b.WriteString(`(-?\d+)`)
			case 'f':
				b.WriteString(`(-?\d+(?:\.\d+)?)`)
			default:
				b.WriteString(`(.*?)`)
			}
			last = m[1]
		}
		b.WriteString(regexp.QuoteMeta(text[last:]))
		b.WriteString(`$`)
		out = append(out, format{key, regexp.MustCompile(b.String()), len(fmtVerb.ReplaceAllString(text, ""))})
	}
	slices.SortFunc(out, func(a, b format) int { return b.lit - a.lit })
	return out
}

// translate returns the message s, written by the code in English, in
// lang: whole if the catalogue has it, else each part of an error chain
// ("checking in: no check-in for this code at this hub") that it has.
func translate(lang, s string) string {
	if lang == defaultLang || messageCatalogues[lang] == nil {
		return s
	}
	if t, ok := translateOne(lang, s); ok {
		return t
	}
	parts := strings.Split(s, ": ")
	changed := false
	for i, p := range parts {
		if t, ok := translateOne(lang, p); ok {
			parts[i], changed = t, true
		}
	}
	if !changed {
		return s
	}
	return strings.Join(parts, ": ")
}

func translateOne(lang, s string) (string, bool) {
	for _, f := range englishFormats {
		m := f.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		t, ok := messageCatalogues[lang][f.key]
		if !ok {
			return s, false
		}
		args := make([]any, len(m)-1)
		for i, a := range m[1:] {
			args[i] = a
		}
		// The arguments are already formatted: every verb becomes %s,
		// keeping an explicit index.
		return fmt.Sprintf(fmtVerb.ReplaceAllString(t, "%${1}s"), args...), true
	}
	return s, false
}

// messageLang chooses the language of the messages: -lang first, then the
// locale of the environment (LC_ALL, LC_MESSAGES, LANG, in POSIX order),
// then English. A locale such as "es_ES.UTF-8" or "pt_BR" gives its
// language; "C", "POSIX" and a language without a catalogue give English.
func messageLang(flagLang string, getenv func(string) string) (string, error) {
	if flagLang != "" {
		base := baseLang(flagLang)
		if messageCatalogues[base] == nil {
			return defaultLang, usageErrorf("", "-lang %q is not a language difesa speaks", flagLang).
				hint("the languages are " + strings.Join(messageLangs, ", "))
		}
		return base, nil
	}
	if base := baseLang(envLocale(getenv)); messageCatalogues[base] != nil {
		return base, nil
	}
	return defaultLang, nil
}

// envLocale returns the locale of the environment as a language tag: the
// first of LC_ALL, LC_MESSAGES and LANG that is set ("it_IT.UTF-8" is
// "it-IT"), or "" when that one is C, POSIX or no language tag.
func envLocale(getenv func(string) string) string {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(name)
		if v == "" {
			continue
		}
		v, _, _ = strings.Cut(v, ".")
		v, _, _ = strings.Cut(v, "@")
		v = strings.ReplaceAll(v, "_", "-")
		if v == "C" || v == "POSIX" || !langTag.MatchString(v) {
			return ""
		}
		return v
	}
	return ""
}

// baseLang is the language of a locale or a tag: "pt_BR.UTF-8" and
// "pt-BR" are "pt".
func baseLang(s string) string {
	s, _, _ = strings.Cut(s, ".")
	s, _, _ = strings.Cut(s, "@")
	s = strings.ToLower(strings.ReplaceAll(s, "_", "-"))
	s, _, _ = strings.Cut(s, "-")
	return s
}

// takeLang removes a -lang CODE given before the command ("difesa -lang es
// checkin …") and returns its value.
func takeLang(args []string) (string, []string, error) {
	if len(args) == 0 {
		return "", args, nil
	}
	switch a := args[0]; {
	case a == "-lang" || a == "--lang":
		if len(args) < 2 {
			return "", nil, usageErrorf("", "flag needs an argument: %s", a)
		}
		return args[1], args[2:], nil
	case strings.HasPrefix(a, "-lang=") || strings.HasPrefix(a, "--lang="):
		return a[strings.Index(a, "=")+1:], args[1:], nil
	}
	return "", args, nil
}

// translate is [translate] in the language of this run.
func (e *env) translate(s string) string { return translate(e.lang, s) }
