package manifest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// seeds returns the manifests of the vector file, valid and invalid.
func seeds(tb testing.TB) [][]byte {
	tb.Helper()
	s1, s2 := chain(tb)
	out := [][]byte{s1.Manifest, s2.Manifest, classicManifest(tb, 3)}
	for _, c := range invalidManifests(tb, s1, s2) {
		out = append(out, c.b)
	}
	return out
}

// checkNoSecret fails if err could be repeating a secret key.
func checkNoSecret(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(strings.ToUpper(err.Error()), "SECRET-KEY-") {
		t.Fatalf("error may repeat a secret key: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error wraps no ErrMalformed: %v", err)
			}
			checkNoSecret(t, err)
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("parsed manifest does not marshal: %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("Marshal does not reproduce the input:\n%q\n%q", b, out)
		}
		if _, err := m.AgeRecipients(); err != nil {
			t.Fatalf("AgeRecipients: %v", err)
		}
	})
}

func FuzzParseSigned(f *testing.F) {
	s1, s2 := chain(f)
	for _, s := range []*Signed{s1, s2} {
		f.Add(s.Marshal())
	}
	m64 := base64.StdEncoding.EncodeToString(s1.Manifest)
	sig64 := base64.StdEncoding.EncodeToString(s1.Signature)
	f.Add([]byte(`{"signature":"` + sig64 + `","manifest":"` + m64 + `"}`))
	f.Add([]byte(`{"manifest":"` + m64 + `","signature":"` + sig64 + `","x":1}`))
	f.Add([]byte(`{"manifest":"` + m64 + `","manifest":"` + m64 + `"}`))
	f.Add([]byte(`{"manifest":"QQ==","signature":"` + sig64 + `"} `))
	pub := testKey().Public()
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSigned(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error wraps no ErrMalformed: %v", err)
			}
			checkNoSecret(t, err)
			return
		}
		back, err := ParseSigned(s.Marshal())
		if err != nil || !bytes.Equal(back.Manifest, s.Manifest) || !bytes.Equal(back.Signature, s.Signature) {
			t.Fatalf("transport form does not round-trip: %v", err)
		}
		m, err := s.Verify(pub)
		if err != nil {
			if !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("Verify error wraps no sentinel: %v", err)
			}
			checkNoSecret(t, err)
			return
		}
		if out, err := m.Marshal(); err != nil || !bytes.Equal(out, s.Manifest) {
			t.Fatalf("verified manifest does not marshal to the signed bytes: %v", err)
		}
		_, err1 := CheckFirst(s, pub, m.Hub)
		_, err2 := CheckSuccessor(s1, s, pub)
		if (err1 == nil) != (m.Epoch == 1) || (err2 == nil) != bytes.Equal(s.Manifest, s2.Manifest) {
			t.Fatalf("chain checks: %v, %v", err1, err2)
		}
	})
}
