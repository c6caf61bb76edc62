package cli

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"difesa.org/difesa/internal/cap"
)

// TestBulletinLabelsComplete requires every catalogue to have every key
// of the English one, with the same formatting verbs, and a label for
// every value of CAP's enumerations difesa shows.
func TestBulletinLabelsComplete(t *testing.T) {
	t.Parallel()
	verbs := regexp.MustCompile(`%[sd]`)
	en := bulletinLabels["en"]
	for kind, values := range map[string][]string{"sev": capSeverities, "urg": capUrgencies, "cert": capCertainties, "cat": capCategories, "status": capStatuses} {
		for _, v := range values {
			if _, ok := en[kind+":"+v]; !ok && v != "Unknown" && v != "Actual" {
				t.Errorf("no English label for %s:%s", kind, v)
			}
		}
	}
	for lang, c := range bulletinLabels {
		for key, want := range en {
			got, ok := c[key]
			switch {
			case !ok:
				t.Errorf("%s: no label %q", lang, key)
			case strings.TrimSpace(got) == "":
				t.Errorf("%s: label %q is empty", lang, key)
			case !slices.Equal(verbs.FindAllString(got, -1), verbs.FindAllString(want, -1)):
				t.Errorf("%s: label %q is %q: not the verbs of %q", lang, key, got, want)
			}
		}
		for key := range c {
			if _, ok := en[key]; !ok {
				t.Errorf("%s: label %q is not an English key", lang, key)
			}
		}
	}
}

func TestLabelsFor(t *testing.T) {
	t.Parallel()
	it, none, de := &cap.Info{Language: "it-IT"}, &cap.Info{}, &cap.Info{Language: "de"}
	for _, tt := range []struct {
		lang  string
		shown *cap.Info
		want  string
	}{
		{"it", none, "it"},   // the reader's language first
		{"FR-ca", it, "fr"},  // by primary subtag
		{"de", it, "it"},     // no German labels: the bulletin's language
		{"de", de, "en"},     // neither: English
		{"", it, "it"},       // no language asked: the bulletin's
		{"", none, "en"},     // CAP's default language is en-US
		{"", nil, "en"},      // a Cancel without text
		{"sl-SI", nil, "sl"}, // a Cancel, for a reader who said
		{"x-klingon", it, "it"},
	} {
		if got := labelsFor(tt.lang, tt.shown); got.lang != tt.want {
			t.Errorf("labelsFor(%q, %v) = %s, want %s", tt.lang, tt.shown, got.lang, tt.want)
		}
	}
}

// TestWriteBulletinLabels prints one bulletin for readers of several
// languages: the text is the block's, the labels the reader's.
func TestWriteBulletinLabels(t *testing.T) {
	t.Parallel()
	a := &cap.Alert{Identifier: "b-1", Sender: "s", Sent: "2026-11-23T14:00:00+01:00", Status: "Exercise", MsgType: "Alert", Scope: "Public",
		Infos: []cap.Info{
			{Language: "it", Categories: []string{"Security", "Other"}, Event: "Arresti", Urgency: "Immediate", Severity: "Unknown", Certainty: "Likely",
				Instruction: "Evitate la piazza.", Web: "https://example.org/", Contact: "Squadra legale", Areas: []cap.Area{{Desc: "Milano"}}},
			{Language: "en", Categories: []string{"Security"}, Event: "Arrests", Urgency: "Immediate", Severity: "Unknown", Certainty: "Likely"},
		}}
	v := &bulletinView{checkedBulletin: &checkedBulletin{seq: 7, alert: a}, expired: true}
	for _, tt := range []struct {
		lang string
		want []string
	}{
		{"it", []string{"#7  Arresti", "ESERCITAZIONE: non è un bollettino reale · SCADUTO", "gravità: Sconosciuta · urgenza: Immediata · certezza: Probabile",
			"evento: Arresti (Sicurezza, Altro)", "zona: Milano", "inviato: ", "lingua: it (anche in en)", "Cosa fare:", "contatto: Squadra legale"}},
		{"en-GB", []string{"#7  Arrests", "EXERCISE: not a real bulletin · EXPIRED", "severity: Unknown · urgency: Immediate · certainty: Likely",
			"event: Arrests (Security)", "language: en (also in it)"}},
		{"pl", []string{"#7  Arresti", "ĆWICZENIA: to nie jest prawdziwy komunikat · WYGASŁ", "powaga: Nieznana · pilność: Natychmiastowa · pewność: Prawdopodobna",
			"zdarzenie: Arresti (Ochrona, Inne)", "brak wersji pl; pokazano it (także w językach en)", "Co robić:"}},
	} {
		var b bytes.Buffer
		writeBulletin(&printer{w: &b}, v, tt.lang)
		for _, w := range tt.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("-lang %s: no %q in\n%s", tt.lang, w, b.String())
			}
		}
	}
}
