package notify

import (
	"regexp"
	"slices"
	"testing"

	"difesa.org/difesa/internal/wire"
)

var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

// TestCatalogue checks that every language has every message, with an
// "other" form, and the placeholders of the English text ({count} may be
// left out of a "one" form).
func TestCatalogue(t *testing.T) {
	en := messages["en"]
	for _, typ := range []string{wire.EventReportReceived, wire.EventAlertReceived, wire.EventFollowupReceived,
		wire.EventCheckinMissed, wire.EventCheckinDuress, wire.EventCheckinResumed, wire.EventTest} {
		if en[typ] == nil {
			t.Errorf("en: no message for %s", typ)
		}
	}
	for _, lang := range []string{"en", "it", "es", "fr", "sl", "pl", "pt", "ro"} {
		if !HasLanguage(lang) {
			t.Errorf("no %s catalogue", lang)
		}
	}
	for lang, msgs := range messages {
		for key, forms := range en {
			got := msgs[key]
			if got["other"] == "" {
				t.Errorf("%s: %s has no \"other\" form", lang, key)
				continue
			}
			want := placeholders(forms["other"])
			for form, s := range got {
				if !slices.Contains([]string{"one", "two", "few", "many", "other"}, form) {
					t.Errorf("%s: %s: unknown plural form %q", lang, key, form)
				}
				have := placeholders(s)
				for _, p := range want {
					if !slices.Contains(have, p) && !(p == "{count}" && form == "one") {
						t.Errorf("%s: %s[%s] = %q lacks %s", lang, key, form, s, p)
					}
				}
				for _, p := range have {
					if !slices.Contains(want, p) && p != "{count}" {
						t.Errorf("%s: %s[%s] = %q has the unknown placeholder %s", lang, key, form, s, p)
					}
				}
			}
		}
		for key := range msgs {
			if en[key] == nil {
				t.Errorf("%s: %s is not in the English catalogue", lang, key)
			}
		}
	}
}

func placeholders(s string) []string {
	p := placeholder.FindAllString(s, -1)
	slices.Sort(p)
	return slices.Compact(p)
}

func TestText(t *testing.T) {
	vars := map[string]string{"hub": "it"}
	for _, tc := range []struct {
		lang, key string
		n         int
		want      string
	}{
		{"en", wire.EventReportReceived, 3, "3 new reports at hub it"},
		{"en", wire.EventReportReceived, 1, "1 new report at hub it"},
		{"en", wire.EventAlertReceived, 1, "URGENT: an alert arrived at hub it"},
		{"en", wire.EventCheckinMissed, 1, "A check-in was missed at hub it"},
		{"en", wire.EventCheckinResumed, 1, "The defender checked in again at hub it"},
		{"en", wire.EventTest, 1, "Test notification from hub it"},
		{"it", wire.EventReportReceived, 3, "3 nuove segnalazioni nell'hub it"},
		{"fr", wire.EventReportReceived, 1, "1 nouveau signalement sur le hub it"},
		{"pl", wire.EventReportReceived, 3, "3 nowe zgłoszenia w hubie it"},
		{"pl", wire.EventReportReceived, 5, "5 nowych zgłoszeń w hubie it"},
		{"pl", wire.EventReportReceived, 22, "22 nowe zgłoszenia w hubie it"},
		{"pl", wire.EventReportReceived, 12, "12 nowych zgłoszeń w hubie it"},
		{"sl", wire.EventReportReceived, 2, "2 novi prijavi v središču it"},
		{"sl", wire.EventReportReceived, 103, "103 nove prijave v središču it"},
		{"ro", wire.EventReportReceived, 5, "5 sesizări noi la hubul it"},
		{"ro", wire.EventReportReceived, 20, "20 de sesizări noi la hubul it"},
		{"en", "some.new.event", 2, "some.new.event (2) at hub it"},
	} {
		if got := text(tc.lang, tc.key, tc.n, vars); got != tc.want {
			t.Errorf("text(%s, %s, %d) = %q, want %q", tc.lang, tc.key, tc.n, got, tc.want)
		}
	}
}
