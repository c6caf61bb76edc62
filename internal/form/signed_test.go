package form

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"

	"difesa.org/difesa/internal/wire"
)

func TestSignVerify(t *testing.T) {
	t.Parallel()
	sk := testKey(t)
	s, err := Sign(sk, exampleForm(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Form, exampleBytes(t, nil)) {
		t.Fatal("Sign did not sign the canonical bytes")
	}
	back, err := ParseSigned(MarshalSigned(s))
	if err != nil {
		t.Fatal(err)
	}
	f, err := VerifyFor(back, sk.Public(), "demo", "discrimination")
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 2 {
		t.Fatalf("version %d", f.Version)
	}

	// Attacks, each with its stable code.
	other, err := Sign(otherKey(t), exampleForm(t))
	if err != nil {
		t.Fatal(err)
	}
	tampered := *s
	tampered.Form = bytes.Replace(s.Form, []byte("Casa"), []byte("Nome"), 1)
	rewritten := *s
	rewritten.Form = exampleBytes(t, func(f *Form) {
		f.Fields = append(f.Fields, Field{ID: "name", Type: TypeShortText, Label: Text{"it": "Nome e indirizzo", "en": "Your name and home address"}})
	})
	otherHub, _ := Sign(sk, func() *Form { f := exampleForm(t); f.Hub = "fr"; return f }())
	unsignedJunk := &wire.SignedForm{Form: []byte("not a form"), Signature: make([]byte, 64)}
	for _, tt := range []struct {
		name string
		s    *wire.SignedForm
		id   string
		code string
	}{
		{"signed by another key", other, "discrimination", wire.CodeFormUnsigned},
		{"one byte changed", &tampered, "discrimination", wire.CodeFormUnsigned},
		{"a question slipped in", &rewritten, "discrimination", wire.CodeFormUnsigned},
		{"not a form, not signed", unsignedJunk, "discrimination", wire.CodeFormUnsigned},
		{"another hub", otherHub, "discrimination", wire.CodeFormWrongHub},
		{"another form than asked", s, "safety", wire.CodeFormWrongHub},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifyFor(tt.s, sk.Public(), "demo", tt.id)
			if Code(err) != tt.code {
				t.Fatalf("VerifyFor = %v, want code %s", err, tt.code)
			}
		})
	}
}

func TestCheckSeen(t *testing.T) {
	t.Parallel()
	f := exampleForm(t) // version 2
	h := Hash(exampleBytes(t, nil))
	for _, tt := range []struct {
		name string
		seen Seen
		want error
	}{
		{"first time", Seen{}, nil},
		{"same version and bytes", Seen{2, h}, nil},
		{"newer", Seen{1, "00"}, nil},
		{"rolled back", Seen{3, h}, ErrRollback},
		{"same version, other bytes", Seen{2, Hash([]byte("x"))}, ErrConflict},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSeen(f, h, tt.seen)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("CheckSeen = %v, want %v", err, tt.want)
			}
		})
	}
	if Code(CheckSeen(f, h, Seen{3, h})) != "form_rollback" {
		t.Fatal("a rollback is not form_rollback")
	}
}

func TestParseSignedRefuses(t *testing.T) {
	t.Parallel()
	b64 := base64.StdEncoding.EncodeToString
	form, sig := b64([]byte(`{}`)), b64(make([]byte, 64))
	for _, tt := range []struct{ name, in string }{
		{"not an object", `[]`},
		{"unknown member", `{"form":"` + form + `","signature":"` + sig + `","x":""}`},
		{"duplicate", `{"form":"` + form + `","form":"` + form + `","signature":"` + sig + `"}`},
		{"missing signature", `{"form":"` + form + `"}`},
		{"short signature", `{"form":"` + form + `","signature":"` + b64(make([]byte, 63)) + `"}`},
		{"unpadded", `{"form":"e30","signature":"` + sig + `"}`},
		{"empty form", `{"form":"","signature":"` + sig + `"}`},
		{"data after", `{"form":"` + form + `","signature":"` + sig + `"} {}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseSigned([]byte(tt.in)); !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseSigned = %v, want ErrInvalid", err)
			}
		})
	}
	big := `{"form":"` + b64(make([]byte, MaxSize+1)) + `","signature":"` + sig + `"}`
	if _, err := ParseSigned([]byte(big)); Code(err) != wire.CodeFormTooLarge {
		t.Fatalf("ParseSigned(large) = %v", err)
	}
}
