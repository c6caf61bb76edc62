package casebook

import (
	"bytes"
	"context"
	"os"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/form"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/testserver"
)

// TestFormAnswers: a report made with the hub's own form shows its
// questions and answers once the hub's admin key is pinned, and the
// answers by question id, saying why, before.
func TestFormAnswers(t *testing.T) {
	f := newFixture(t)
	raw, err := os.ReadFile(f.srv.AdminKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	sk, err := manifest.ParseSecretKeyFile(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	s := testserver.SignForm(t, sk, testserver.NewForm(demoHub, "safety", 1))
	a := &form.Answers{Form: "safety", Version: 1, Hash: form.Hash(s.Form), Answers: map[string][]string{
		"setting": {"work"}, "safe_now": {form.Yes}, "details": {"<b>hostile</b>"},
	}}
	fa, err := form.BundleEntries(s, a)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := f.defender(t)
	v, err := c.VerifiedRecipients(ctx, client.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, _ := age.Encrypt(&buf, v.Recipients...)
	if _, err := bundle.WriteForm(w, bundle.NewEnvelope(bundle.KindReport, "en", testDay), fa, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	sc, err := c.SubmitEpoch(ctx, bundle.KindReport, v.Epoch, &buf)
	if err != nil {
		t.Fatal(err)
	}

	b := f.open(t)
	syncAll(t, b)
	cs, err := b.Case(demoHub, sc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Answers) != 4 || cs.Answers[0].Name != "form" || cs.Answers[1] != (Field{"details", "<b>hostile</b>"}) {
		t.Fatalf("answers without a pin = %+v", cs.Answers)
	}
	// Pin the hub's admin key, as the first reply or "difesa inbox" does.
	if _, err := f.responder(t).VerifiedRecipients(ctx, client.Trust{Pins: client.NewPinStore(f.pins)}); err != nil {
		t.Fatal(err)
	}
	cs, _ = b.Case(demoHub, sc.ID)
	want := []Field{{"Dove?", "Lavoro"}, {"Sei al sicuro ora?", form.Yes}, {"Altro", "<b>hostile</b>"}}
	if len(cs.Answers) != len(want) {
		t.Fatalf("answers with the pin = %+v", cs.Answers)
	}
	for i := range want {
		if cs.Answers[i] != want[i] {
			t.Fatalf("answer %d = %+v, want %+v", i, cs.Answers[i], want[i])
		}
	}
}
