package testserver

import (
	"testing"

	"difesa.org/difesa/internal/form"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

// NewForm returns a small valid form of hub in Italian and English, with a
// condition: "danger" is asked only when "safe_now" is "no".
func NewForm(hub, id string, version uint64) *form.Form {
	return &form.Form{
		Format: form.Format, Hub: hub, ID: id, Version: version,
		Languages: []string{"it", "en"},
		Title:     form.Text{"it": "Sicurezza", "en": "Safety"},
		Fields: []form.Field{
			{ID: "setting", Type: form.TypeSingleChoice, Required: true, Label: form.Text{"it": "Dove?", "en": "Where?"},
				Choices: []form.Choice{
					{ID: "work", Label: form.Text{"it": "Lavoro", "en": "Work"}, Code: "S2"},
					{ID: "school", Label: form.Text{"it": "Scuola", "en": "School"}, Code: "S3"},
				}},
			{ID: "safe_now", Type: form.TypeYesNo, Required: true, Label: form.Text{"it": "Sei al sicuro ora?", "en": "Are you safe now?"}},
			{ID: "danger", Type: form.TypeLongText, Required: true, Label: form.Text{"it": "Che pericolo corri?", "en": "What danger are you in?"},
				ShowIf: &form.Condition{Field: "safe_now", Values: []string{form.No}}},
			{ID: "details", Type: form.TypeShortText, Label: form.Text{"it": "Altro", "en": "Anything else"}},
		},
	}
}

// SignForm signs f with sk.
func SignForm(t testing.TB, sk *manifest.SecretKey, f *form.Form) *wire.SignedForm {
	t.Helper()
	s, err := form.Sign(sk, f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
