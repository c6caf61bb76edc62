package codename

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"

	"filippo.io/age"
)

func mustParse(t testing.TB, s string) Codename {
	t.Helper()
	c, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDeriveDeterministic(t *testing.T) {
	t.Parallel()
	a, err := Derive(mustParse(t, "erupt material poncho july daycare operator revisit"), "demo")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Derive(mustParse(t, "ERUPT-MATERIAL-PONCHO-JULY-DAYCARE-OPERATOR-REVISIT"), "demo")
	if err != nil {
		t.Fatal(err)
	}
	if a.Identity.String() != b.Identity.String() || a.Recipient != b.Recipient || a.Token != b.Token || a.Verifier != b.Verifier {
		t.Error("the same codename, typed differently, gave different keys")
	}
	if !strings.HasPrefix(a.Recipient, "age1pq1") || !strings.HasPrefix(a.Identity.String(), "AGE-SECRET-KEY-PQ-1") {
		t.Errorf("keys are not hybrid age keys: %.20s…, %.20s…", a.Recipient, a.Identity)
	}
	if a.Verifier != TokenVerifier(a.Token) || !CheckToken(a.Token, a.Verifier) {
		t.Error("Verifier is not TokenVerifier(Token)")
	}
}

func TestDeriveDomainSeparation(t *testing.T) {
	t.Parallel()
	c := mustParse(t, "erupt material poncho july daycare operator revisit")
	other := mustParse(t, "erupt material poncho july daycare operator alibi")
	base, err := Derive(c, "demo")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    Codename
		hub  string
	}{
		{"other hub", c, "demo2"},
		{"hub id that is a prefix", c, "dem"},
		{"other codename, one word apart", other, "demo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, err := Derive(tt.c, tt.hub)
			if err != nil {
				t.Fatal(err)
			}
			if k.Recipient == base.Recipient || k.Identity.String() == base.Identity.String() {
				t.Error("same reply identity")
			}
			if bytes.Equal(k.Token[:], base.Token[:]) || k.Verifier == base.Verifier {
				t.Error("same thread token")
			}
			// Unrelated, not merely different: no shared 4-byte window.
			for i := 0; i+4 <= 32; i++ {
				if bytes.Contains(base.Token[:], k.Token[i:i+4]) {
					t.Errorf("tokens share bytes %x", k.Token[i:i+4])
				}
			}
		})
	}
	// The token and the identity seed come from one Argon2id output but
	// distinct HKDF labels.
	if bytes.Contains([]byte(base.Identity.String()), []byte(TokenString(base.Token)[:8])) {
		t.Error("token and identity look related")
	}
}

func TestDeriveRejectsHubID(t *testing.T) {
	t.Parallel()
	c := mustParse(t, "erupt material poncho july daycare operator revisit")
	for _, h := range []string{"", "Demo", "demo/../x", strings.Repeat("a", 33), "demo\x00"} {
		if _, err := Derive(c, h); !errors.Is(err, ErrHubID) {
			t.Errorf("Derive(hub %q) error = %v, want ErrHubID", h, err)
		}
	}
}

// TestReplyRoundTrip checks that the derived identity is a working age
// identity: a reply encrypted to Recipient decrypts with Identity, and
// with the identity parsed back from its string form.
func TestReplyRoundTrip(t *testing.T) {
	t.Parallel()
	k, err := Derive(mustParse(t, "dilute groggy helper runway engulf shredding alibi"), "demo")
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.ParseHybridRecipient(k.Recipient)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "we received your report")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	parsed, err := age.ParseHybridIdentity(k.Identity.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []age.Identity{k.Identity, parsed} {
		rd, err := age.Decrypt(bytes.NewReader(buf.Bytes()), id)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rd)
		if string(got) != "we received your report" {
			t.Errorf("decrypted %q", got)
		}
	}
}

func TestIdentityEncoding(t *testing.T) {
	t.Parallel()
	// age decodes what bech32Encode writes, to the same seed: age's own
	// String() gives back the same text.
	for range 20 {
		seed := make([]byte, 32)
		rand.Read(seed)
		s := identityString(seed)
		id, err := age.ParseHybridIdentity(s)
		if err != nil {
			t.Fatalf("age refuses %s: %v", s, err)
		}
		if id.String() != s {
			t.Fatalf("age re-encodes %s as %s", s, id.String())
		}
	}
	// BIP 173's own test vector for an empty payload.
	if got := bech32Encode("a", nil); got != "a12uel5l" {
		t.Errorf("bech32Encode(a, nil) = %s, want a12uel5l", got)
	}
}

func BenchmarkDerive(b *testing.B) {
	c := mustParse(b, "erupt material poncho july daycare operator revisit")
	for b.Loop() {
		if _, err := Derive(c, "demo"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkArgon2id(b *testing.B) {
	for b.Loop() {
		stretch("erupt-material-poncho-july-daycare-operator-revisit", "demo")
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("  Érupt MATERIAL poncho july daycare operator revisit "); err != nil {
			b.Fatal(err)
		}
	}
}
