package manifest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestSignVerify(t *testing.T) {
	t.Parallel()
	s1, s2 := chain(t)
	pub := testKey().Public()
	for _, s := range []*Signed{s1, s2} {
		m, err := s.Verify(pub)
		if err != nil {
			t.Fatal(err)
		}
		if out := mustMarshal(t, m); !bytes.Equal(out, s.Manifest) {
			t.Fatal("verified manifest does not marshal to the signed bytes")
		}
		back, err := ParseSigned(s.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back.Manifest, s.Manifest) || !bytes.Equal(back.Signature, s.Signature) {
			t.Fatal("transport form did not round-trip")
		}
	}
	// Signatures are deterministic.
	if again := mustSign(t, testKey(), s1.Manifest); !bytes.Equal(again.Signature, s1.Signature) {
		t.Fatal("Ed25519 signature is not deterministic")
	}
	// The signed bytes are a copy.
	b := mustMarshal(t, epoch1())
	s := mustSign(t, testKey(), b)
	b[0] = 'X'
	if _, err := s.Verify(pub); err != nil {
		t.Fatal("Sign kept a reference to the caller's bytes")
	}
}

func TestSignRefusesMalformed(t *testing.T) {
	t.Parallel()
	b := append(mustMarshal(t, epoch1()), "\n"...)
	if s, err := Sign(testKey(), b); !errors.Is(err, ErrMalformed) || s != nil {
		t.Fatalf("Sign = %v, %v; want ErrMalformed", s, err)
	}
	if _, err := Sign(nil, b); !errors.Is(err, ErrBadKey) {
		t.Fatalf("Sign without a key = %v", err)
	}
	var nilSigned *Signed
	if _, err := nilSigned.Verify(testKey().Public()); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Verify of nil = %v", err)
	}
	if _, err := Next(nil, "2026-11-23", nil); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Next of nil = %v", err)
	}
}

func TestVerifyErrors(t *testing.T) {
	t.Parallel()
	s1, _ := chain(t)
	pub := testKey().Public()
	flip := func(b []byte, i int) []byte { b = bytes.Clone(b); b[i] ^= 1; return b }
	malformed := append(bytes.Clone(s1.Manifest), "\n"...)
	tests := []struct {
		name string
		s    *Signed
		pub  PublicKey
		want error
	}{
		{"flipped signature bit", &Signed{s1.Manifest, flip(s1.Signature, 10)}, pub, ErrBadSignature},
		{"flipped S high bit", &Signed{s1.Manifest, flip(s1.Signature, 63)}, pub, ErrBadSignature},
		{"flipped manifest bit", &Signed{flip(s1.Manifest, 30), s1.Signature}, pub, ErrBadSignature},
		{"short signature", &Signed{s1.Manifest, s1.Signature[:63]}, pub, ErrBadSignature},
		{"no signature", &Signed{s1.Manifest, nil}, pub, ErrBadSignature},
		{"other signer", mustSign(t, otherKey(), s1.Manifest), pub, ErrBadSignature},
		{"zero public key", s1, PublicKey{}, ErrBadSignature},
		{"signed but malformed", rawSign(testKey(), malformed), pub, ErrMalformed},
		{"bad signature and malformed", rawSign(otherKey(), malformed), pub, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if m, err := tt.s.Verify(tt.pub); !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, %v; want %v", m, err, tt.want)
			}
		})
	}
}

func TestParseSigned(t *testing.T) {
	t.Parallel()
	s1, _ := chain(t)
	m64 := base64.StdEncoding.EncodeToString(s1.Manifest)
	sig64 := base64.StdEncoding.EncodeToString(s1.Signature)
	good := `{"manifest":"` + m64 + `","signature":"` + sig64 + `"}`
	if string(s1.Marshal()) != good {
		t.Fatalf("Marshal = %s", s1.Marshal())
	}
	obj := func(members ...string) string { return "{" + strings.Join(members, ",") + "}" }
	mm, ms := `"manifest":"`+m64+`"`, `"signature":"`+sig64+`"`
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"canonical", good, true},
		{"reversed members", obj(ms, mm), true},
		{"white space", " {\n \"manifest\" : \"" + m64 + "\",\n \"signature\":\"" + sig64 + "\"\n}\n", true},
		{"escaped slash in base64", strings.ReplaceAll(good, "/", `\/`), true},
		{"empty", "", false},
		{"null", "null", false},
		{"array", "[" + good + "]", false},
		{"missing signature", obj(mm), false},
		{"missing manifest", obj(ms), false},
		{"unknown member", obj(mm, ms, `"epoch":2`), false},
		{"capitalised member", obj(`"Manifest":"`+m64+`"`, ms), false},
		{"duplicate member", obj(mm, ms, mm), false},
		{"null value", obj(`"manifest":null`, ms), false},
		{"number value", obj(`"manifest":1`, ms), false},
		{"object value", obj(`"manifest":{}`, ms), false},
		{"manifest as text", obj(`"manifest":`+jsonString(string(s1.Manifest)), ms), false},
		{"unpadded base64", obj(`"manifest":"`+strings.TrimRight(m64, "=")+`"`, ms), false},
		{"url base64 signature", obj(mm, `"signature":"`+base64.URLEncoding.EncodeToString(s1.Signature)+`"`), strings.ContainsAny(sig64, "+/") == false},
		{"line break in base64", obj(`"manifest":"`+m64[:8]+`\n`+m64[8:]+`"`, ms), false},
		{"non-canonical base64 tail", obj(mm, `"signature":"`+sig64[:len(sig64)-3]+"B=="+`"`), false},
		{"short signature", obj(mm, `"signature":"`+base64.StdEncoding.EncodeToString(s1.Signature[:63])+`"`), false},
		{"empty manifest", obj(`"manifest":""`, ms), false},
		{"trailing comma", obj(mm, ms+","), false},
		{"trailing data", good + "{}", false},
		{"trailing garbage", good + "x", false},
		{"unclosed", strings.TrimSuffix(good, "}"), false},
		{"oversize", good + strings.Repeat(" ", MaxSignedSize), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := ParseSigned([]byte(tt.in))
			if tt.ok {
				if err != nil || !bytes.Equal(s.Manifest, s1.Manifest) || !bytes.Equal(s.Signature, s1.Signature) {
					t.Fatalf("ParseSigned = %v, %v", s, err)
				}
				return
			}
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseSigned = %v, %v; want ErrMalformed", s, err)
			}
		})
	}
}

// TestSignedEmbedded checks that a Signed inside another JSON document uses
// the same form and the same strict rules.
func TestSignedEmbedded(t *testing.T) {
	t.Parallel()
	s1, _ := chain(t)
	type doc struct {
		Hub      string  `json:"hub"`
		Manifest *Signed `json:"manifest"`
	}
	b, err := json.Marshal(doc{"it", s1})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"hub":"it","manifest":` + string(s1.Marshal()) + `}`; string(b) != want {
		t.Fatalf("embedded form %s", b)
	}
	var d doc
	if err := json.Unmarshal(b, &d); err != nil || !bytes.Equal(d.Manifest.Manifest, s1.Manifest) {
		t.Fatalf("Unmarshal = %v", err)
	}
	bad := bytes.Replace(b, []byte(`"signature"`), []byte(`"extra":1,"signature"`), 1)
	if err := json.Unmarshal(bad, &d); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Unmarshal with unknown member = %v", err)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
