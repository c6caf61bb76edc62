package form

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/wire"
)

// TestFormBundleRoundTrip writes a bundle with the example form's answers
// and reads it back as a responder, then tries the attacks on it.
func TestFormBundleRoundTrip(t *testing.T) {
	t.Parallel()
	sk := testKey(t)
	s, err := Sign(sk, exampleForm(t))
	if err != nil {
		t.Fatal(err)
	}
	h := Hash(s.Form)
	answers := func() *Answers {
		return &Answers{Form: "discrimination", Version: 2, Hash: h, Answers: map[string][]string{
			"setting": {"school"}, "safe_now": {"yes"}, "evidence": {"foto.jpg"}}}
	}
	env := bundle.NewEnvelope(bundle.KindReport, "it", time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	write := func(fa *bundle.FormAnswers) *bundle.Opened {
		t.Helper()
		var buf bytes.Buffer
		if _, err := bundle.WriteForm(&buf, env, fa, []bundle.Attachment{{Name: "foto.jpg", Size: 1, Body: strings.NewReader("x")}}); err != nil {
			t.Fatal(err)
		}
		o, err := bundle.Read(&buf, bundle.DefaultLimits, nil)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	fa, err := BundleEntries(s, answers())
	if err != nil {
		t.Fatal(err)
	}
	o := write(fa)
	filled, err := OpenBundle(o.Form, o.Files, sk.Public(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	if filled.Form.Version != 2 || filled.Hash != h {
		t.Fatalf("filled %+v", filled)
	}
	fl := filled.Form.Field("setting")
	if got := filled.Form.Value(fl, filled.Answers.Answers["setting"], "en"); got[0] != "School" {
		t.Fatalf("Value = %v", got)
	}

	// Answers that break the form are never written.
	bad := answers()
	bad.Answers["danger"] = []string{"hidden"}
	if _, err := BundleEntries(s, bad); !errors.Is(err, ErrAnswers) {
		t.Fatalf("BundleEntries(hidden field) = %v", err)
	}

	// A form swapped between fetch and send: the answers name v2's hash,
	// the bundle holds another validly signed form of the same id.
	v3 := exampleForm(t)
	v3.Version = 3
	s3, _ := Sign(sk, v3)
	a3 := answers()
	ab, _ := a3.Marshal()
	swapped := &bundle.FormAnswers{Form: MarshalSigned(s3), Answers: ab}
	other, _ := Sign(otherKey(t), exampleForm(t))
	missing := answers()
	missing.Answers["evidence"] = []string{"other.jpg"}
	mb, _ := missing.Marshal()
	for _, tt := range []struct {
		name string
		fa   *bundle.FormAnswers
		hub  string
		code string
	}{
		{"swapped form", swapped, "demo", wire.CodeFormMismatch},
		{"unsigned form", &bundle.FormAnswers{Form: MarshalSigned(other), Answers: fa.Answers}, "demo", wire.CodeFormUnsigned},
		{"another hub", fa, "fr", wire.CodeFormWrongHub},
		{"file not in the bundle", &bundle.FormAnswers{Form: fa.Form, Answers: mb}, "demo", wire.CodeAnswersInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := write(tt.fa)
			if _, err := OpenBundle(o.Form, o.Files, sk.Public(), tt.hub); Code(err) != tt.code {
				t.Fatalf("OpenBundle = %v, want %s", err, tt.code)
			}
		})
	}
}
