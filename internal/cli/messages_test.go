package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func readMessageFile(t *testing.T, name string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("locales", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", name, err)
	}
	return m
}

// TestMessageCataloguesAreComplete: every language has every message, with
// as many fmt verbs and line breaks as the English, and every message has a
// note for translators.
func TestMessageCataloguesAreComplete(t *testing.T) {
	t.Parallel()
	en := readMessageFile(t, "en")
	for _, want := range []string{"en", "it", "es", "fr", "sl", "pl", "pt", "ro"} {
		if messageCatalogues[want] == nil {
			t.Errorf("no catalogue for %s", want)
		}
	}
	for _, lang := range messageLangs {
		m := readMessageFile(t, lang)
		for k, v := range en {
			got, ok := m[k]
			if !ok || got == "" {
				t.Errorf("%s.json: missing %q", lang, k)
				continue
			}
			if a, b := len(fmtVerb.FindAllString(got, -1)), len(fmtVerb.FindAllString(v, -1)); a != b {
				t.Errorf("%s.json: %q has %d fmt verbs, English %d", lang, k, a, b)
			}
			if strings.Count(got, "\n") != strings.Count(v, "\n") {
				t.Errorf("%s.json: %q has other line breaks than English", lang, k)
			}
			if strings.HasPrefix(v, "difesa: ") != strings.HasPrefix(got, "difesa: ") || strings.HasPrefix(v, "hint: ") != strings.HasPrefix(got, "hint: ") {
				t.Errorf("%s.json: %q must keep the English prefix of %q", lang, k, v)
			}
		}
		for k := range m {
			if _, ok := en[k]; !ok {
				t.Errorf("%s.json: %q is not an English key", lang, k)
			}
		}
	}
	notes := readMessageFile(t, "_context")
	for k := range en {
		if len(strings.TrimSpace(notes[k])) < 10 {
			t.Errorf("_context.json: no note for %q", k)
		}
	}
	for k := range notes {
		if _, ok := en[k]; !ok && k != "_comment" {
			t.Errorf("_context.json: %q is not a key of en.json", k)
		}
	}
}

// built are the English messages the code puts together from several
// literals, with those literals.
var built = map[string][]string{
	"hint_refused":       {"is the hub address right? ", "over Tor use -proxy socks5h://127.0.0.1:9050"},
	"hint_dns":           {"the hub's host name is unknown; is the address right? ", "over Tor use -proxy socks5h://127.0.0.1:9050"},
	"compare_pinned":     {"contact the people who run the hub through another channel (in person, by phone) and compare the admin key's fingerprint", " with the one pinned: "},
	"word_codename":      {"word %d of the %s is not one difesa uses"},
	"word_code":          {"word %d of the %s is not one difesa uses"},
	"count_codename":     {"a %s has %d words"},
	"count_code":         {"a %s has %d words"},
	"none_codename":      {"no %s was given"},
	"none_code":          {"no %s was given"},
	"none_codename_hint": {"type the %d words you wrote down, or give them on -%s N"},
	"none_code_hint":     {"type the %d words you wrote down, or give them on -%s N"},
	// A refused form: "refusing form %q of hub %q: <reason> (%s): %w".
	"form_unsigned": {"the hub's admin key did not sign it (%s): %w"},
	"form_older":    {"it is an older version than one this computer has seen (%s): %w"},
}

// TestMessagesAreTheCodesEnglish: each English text of the catalogue is
// written in the code as it is, so a message changed in the code without
// its catalogue entry is caught here, not silently left in English.
func TestMessagesAreTheCodesEnglish(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	// The answers' checks of a hub's form, which the defender sees.
	formFiles, err := filepath.Glob("../form/*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, formFiles...)
	var src strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	literal := func(s string) string { q := strconv.Quote(s); return q[1 : len(q)-1] }
	for k, v := range readMessageFile(t, "en") {
		if strings.HasPrefix(k, "_") {
			continue
		}
		pieces := built[k]
		if pieces == nil {
			pieces = []string{v}
		}
		for _, p := range pieces {
			if !strings.Contains(src.String(), `"`+literal(p)) && !strings.Contains(src.String(), literal(p)+`"`) {
				t.Errorf("en.json %s: %q is not in the code", k, p)
			}
		}
	}
}

func TestMessageLang(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, flag string
		env        map[string]string
		want       string
		err        bool
	}{
		{"nothing", "", nil, "en", false},
		{"LANG", "", map[string]string{"LANG": "es_ES.UTF-8"}, "es", false},
		{"Brazil", "", map[string]string{"LANG": "pt_BR.UTF-8"}, "pt", false},
		{"LC_MESSAGES over LANG", "", map[string]string{"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "sl_SI.UTF-8"}, "sl", false},
		{"LC_ALL over all", "", map[string]string{"LANG": "fr_FR", "LC_MESSAGES": "sl_SI", "LC_ALL": "pl_PL.UTF-8"}, "pl", false},
		{"C locale", "", map[string]string{"LC_ALL": "C", "LANG": "it_IT.UTF-8"}, "en", false},
		{"unknown locale", "", map[string]string{"LANG": "de_DE.UTF-8"}, "en", false},
		{"modifier", "", map[string]string{"LANG": "ro_RO.UTF-8@euro"}, "ro", false},
		{"flag over env", "it", map[string]string{"LC_ALL": "es_ES.UTF-8"}, "it", false},
		{"flag tag", "pt-BR", nil, "pt", false},
		{"unknown flag", "xx", nil, "en", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := messageLang(tc.flag, func(k string) string { return tc.env[k] })
			if got != tc.want || (err != nil) != tc.err {
				t.Errorf("messageLang(%q, %v) = %q, %v; want %q, error %v", tc.flag, tc.env, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestTranslate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ lang, in, want string }{
		{"es", `checked in at hub "demo"`, `confirmación recibida en el hub "demo"`},
		{"es", "checking in: no check-in for this code at this hub", "confirmación: no hay ninguna confirmación acordada con este código en este hub"},
		{"sl", `report sent to hub "de\"mo" (1.2 KiB encrypted, epoch 3)`, `prijava poslana v središče "de\"mo" (1.2 KiB šifrirano, obdobje 3)`},
		{"fr", "wait 7 s and try again", "attendez 7 s et réessayez"},
		{"pl", "checking in: unexpected EOF", "meldunek: unexpected EOF"},
		{"it", "something no catalogue has", "something no catalogue has"},
		{"en", "checking in: no check-in for this code at this hub", "checking in: no check-in for this code at this hub"},
		{"xx", "interrupted", "interrupted"},
	} {
		if got := translate(tc.lang, tc.in); got != tc.want {
			t.Errorf("translate(%s, %q) = %q, want %q", tc.lang, tc.in, got, tc.want)
		}
	}
}
