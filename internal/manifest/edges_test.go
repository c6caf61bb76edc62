package manifest

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"filippo.io/age"
)

// exactSizeManifest returns a valid manifest of exactly MaxSize bytes:
// post-quantum recipients, their labels padded to the last byte.
func exactSizeManifest(t *testing.T) *Manifest {
	t.Helper()
	m := &Manifest{Hub: "it", Epoch: 1, Issued: "2026-11-01"}
	for {
		id, err := age.GenerateHybridIdentity()
		if err != nil {
			t.Fatal(err)
		}
		m.Recipients = append(m.Recipients, Recipient{Key: id.Recipient().String(), Role: RoleResponder, Label: "x"})
		if _, err := m.Marshal(); err != nil {
			m.Recipients = m.Recipients[:len(m.Recipients)-1]
			break
		}
	}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	gap := MaxSize - len(b)
	for i := range m.Recipients {
		label := "x"
		for n := 1; n < MaxLabel && gap > 0; n++ {
			if gap >= 4 {
				label += "🔒"
				gap -= 4
			} else {
				label += "x"
				gap--
			}
		}
		m.Recipients[i].Label = label
	}
	if gap != 0 {
		t.Fatalf("could not pad the manifest to %d bytes: %d short", MaxSize, gap)
	}
	return m
}

// TestManifestOfExactlyMaxSize checks the size limit at its edge: a
// manifest of MaxSize bytes is built, parsed and accepted signed; one
// byte more is refused everywhere.
func TestManifestOfExactlyMaxSize(t *testing.T) {
	t.Parallel()
	m := exactSizeManifest(t)
	b, err := m.Marshal()
	if err != nil || len(b) != MaxSize {
		t.Fatalf("Marshal: %d bytes, %v; want %d", len(b), err, MaxSize)
	}
	if _, err := Parse(b); err != nil {
		t.Fatalf("Parse of %d bytes: %v", len(b), err)
	}
	signed, err := ParseSigned(rawSign(testKey(), b).Marshal())
	if err != nil {
		t.Fatalf("ParseSigned of a %d-byte manifest: %v", len(b), err)
	}
	if _, err := signed.Verify(testKey().Public()); err != nil {
		t.Fatalf("Verify of a %d-byte manifest: %v", len(b), err)
	}

	m.Recipients[len(m.Recipients)-1].Label += "x"
	if over, err := m.Marshal(); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Marshal of %d bytes: %v, want ErrMalformed", len(over), err)
	}
	over := []byte(strings.Replace(string(b), "x\n", "xx\n", 1))
	if _, err := Parse(over); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("Parse of %d bytes: %v, want more than %d bytes", len(over), err, MaxSize)
	}
	if _, err := ParseSigned(rawSign(testKey(), over).Marshal()); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("ParseSigned of a %d-byte manifest: %v, want larger than %d bytes", len(over), err, MaxSize)
	}
}

// TestCheckTextAtTheFirstByte puts a forbidden byte first: it is refused
// for what it is, as anywhere else in the text.
func TestCheckTextAtTheFirstByte(t *testing.T) {
	t.Parallel()
	s1, _ := chain(t)
	for _, tt := range []struct{ first, says string }{
		{"\r", "carriage return"},
		{"\t", "tab"},
	} {
		_, err := Parse(append([]byte(tt.first), s1.Manifest...))
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("a manifest starting with %q: %v, want ErrMalformed saying %q", tt.first, err, tt.says)
		}
	}
}

// TestSignedNeedsBothFields sends a signed manifest with one of its two
// fields missing: the error says both are needed.
func TestSignedNeedsBothFields(t *testing.T) {
	t.Parallel()
	s1, _ := chain(t)
	b64 := base64.StdEncoding.EncodeToString
	for _, field := range []string{"manifest", "signature"} {
		in := `{"manifest":"` + b64(s1.Manifest) + `"}`
		if field == "manifest" {
			in = `{"signature":"` + b64(s1.Signature) + `"}`
		}
		_, err := ParseSigned([]byte(in))
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "needs both manifest and signature") {
			t.Errorf("a signed manifest without %s: %v", field, err)
		}
	}
}
