package testserver

import (
	"testing"

	"difesa.org/difesa/internal/cap"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

// NewAlert returns a CAP alert for tests: sent 2026-11-23 10:00 +01:00,
// with an Italian and an English info block that expire in 2099. Change
// its fields before [SignBulletin].
func NewAlert(sender, identifier, msgType string, refs ...cap.Reference) *cap.Alert {
	info := func(lang, event, headline, desc, instr, area string) cap.Info {
		return cap.Info{
			Language: lang, Categories: []string{"Safety"}, Event: event,
			Urgency: "Expected", Severity: "Severe", Certainty: "Likely",
			Expires:  "2099-01-01T00:00:00+01:00",
			Headline: headline, Description: desc, Instruction: instr,
			Areas: []cap.Area{{Desc: area}},
		}
	}
	return &cap.Alert{
		Identifier: identifier, Sender: sender, Sent: "2026-11-23T10:00:00+01:00",
		Status: "Actual", MsgType: msgType, Scope: "Public", References: refs,
		Infos: []cap.Info{
			info("it-IT", "Sorveglianza", "Auto sospetta davanti alle sedi", "Un'auto grigia è stata vista più volte davanti alle sedi delle associazioni.", "Non parlate di casi aperti al telefono.", "Bologna"),
			info("en-US", "Surveillance", "Suspicious car outside offices", "A grey car was seen several times outside the associations' offices.", "Do not discuss open cases on the phone.", "Bologna"),
		},
	}
}

// RefTo returns the CAP reference to a.
func RefTo(a *cap.Alert) cap.Reference {
	return cap.Reference{Sender: a.Sender, Identifier: a.Identifier, Sent: a.Sent}
}

// SignBulletin marshals a and signs the document with the admin key sk,
// as `difesa admin` would, and returns the upload.
func SignBulletin(t testing.TB, sk *manifest.SecretKey, a *cap.Alert) wire.BulletinUpload {
	t.Helper()
	doc, err := a.Marshal()
	if err != nil {
		t.Fatalf("testserver: marshalling alert %s: %v", a.Identifier, err)
	}
	return wire.BulletinUpload{Document: doc, Signature: sk.SignDetached(doc)}
}
