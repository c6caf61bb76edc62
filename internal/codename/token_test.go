package codename

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
)

func TestTokenRoundTrip(t *testing.T) {
	t.Parallel()
	for range 50 {
		var tok [32]byte
		rand.Read(tok[:])
		s := TokenString(tok)
		if len(s) != TokenStringLen {
			t.Fatalf("TokenString length = %d", len(s))
		}
		got, err := ParseToken(s)
		if err != nil || got != tok {
			t.Fatalf("ParseToken(%q) = %x, %v; want %x", s, got, err, tok)
		}
	}
}

func TestParseTokenRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"short", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"long", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"padded", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},
		{"non-zero trailing bits", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB"},
		{"standard alphabet", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/A"},
		{"line break", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nA"},
		{"space", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseToken(tt.in); !errors.Is(err, ErrMalformedToken) {
				t.Errorf("ParseToken error = %v, want ErrMalformedToken", err)
			}
		})
	}
}

func TestTokenVerifier(t *testing.T) {
	t.Parallel()
	var zero [32]byte
	// SHA-256("difesa thread verifier v1" || 32 zero bytes), computed with
	// coreutils: printf 'difesa thread verifier v1' | cat - <(head -c 32 /dev/zero) | sha256sum
	const want = "cd8a6733b0f447f25f28ada78994d802d57abdfe53aefdc2a5845006f38dd01a"
	v := TokenVerifier(zero)
	if got := hex.EncodeToString(v[:]); got != want {
		t.Errorf("TokenVerifier(zero) = %s, want %s", got, want)
	}
	if !CheckToken(zero, v) {
		t.Error("CheckToken(zero, its verifier) = false")
	}
	one := zero
	one[31] = 1
	if CheckToken(one, v) {
		t.Error("CheckToken accepted another token")
	}
}
