package cli

import (
	"strings"
	"testing"

	"difesa.org/difesa/internal/form"
)

// TestYesNoTakesEveryLanguagesWords: a yes/no question takes y, yes, n and
// no in every language, and the words of the defender's own language; a
// word is never both, and anything else is no answer.
func TestYesNoTakesEveryLanguagesWords(t *testing.T) {
	t.Parallel()
	for _, lang := range messageLangs {
		for key, want := range map[string]string{"_yes": form.Yes, "_no": form.No} {
			words := strings.Split(messageCatalogues[lang][key], ",")
			words = append(words, map[string][]string{"_yes": {"y", "yes", "YES"}, "_no": {"n", "no", " No "}}[key]...)
			for _, w := range words {
				if got, ok := yesNo(lang, w); !ok || got != want {
					t.Errorf("yesNo(%q, %q) = %q, %v; want %q", lang, w, got, ok, want)
				}
			}
		}
		for _, w := range []string{"", "maybe", "yn", "2"} {
			if got, ok := yesNo(lang, w); ok {
				t.Errorf("yesNo(%q, %q) = %q; want no answer", lang, w, got)
			}
		}
	}
	for lang, words := range map[string]string{"es": "sí", "it": "sì", "fr": "oui", "pt": "sim", "pl": "tak", "ro": "da", "sl": "da"} {
		if got, _ := yesNo(lang, words); got != form.Yes {
			t.Errorf("yesNo(%q, %q) = %q; want yes", lang, words, got)
		}
	}
	for lang, words := range map[string]string{"fr": "non", "pt": "não", "pl": "nie", "ro": "nu", "sl": "ne"} {
		if got, _ := yesNo(lang, words); got != form.No {
			t.Errorf("yesNo(%q, %q) = %q; want no", lang, words, got)
		}
	}
}
