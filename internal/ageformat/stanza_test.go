package ageformat

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

// ecdhRefuses reports whether crypto/ecdh refuses share as an X25519 peer
// key for a random private key, which it does exactly when the shared
// secret is all zeros, as age does.
func ecdhRefuses(t *testing.T, share []byte) bool {
	t.Helper()
	priv, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ecdh.X25519().NewPublicKey(share)
	if err != nil {
		t.Fatal(err)
	}
	_, err = priv.ECDH(pub)
	return err != nil
}

func TestLowOrderMatchesECDH(t *testing.T) {
	t.Parallel()
	if len(lowOrderEncodings) != 14 {
		t.Errorf("%d low-order encodings, want 14", len(lowOrderEncodings))
	}
	for enc := range lowOrderEncodings {
		if !ecdhRefuses(t, enc[:]) {
			t.Errorf("%x is in the set but crypto/ecdh accepts it", enc)
		}
	}
	// The other direction, on neighbours of the set (where a derivation
	// mistake would show) and on random shares.
	var candidates [][]byte
	for enc := range lowOrderEncodings {
		for _, d := range []int{-2, -1, 1, 2} {
			c := enc
			c[0] += byte(d)
			candidates = append(candidates, c[:])
		}
	}
	for range 200 {
		c := make([]byte, 32)
		rand.Read(c)
		candidates = append(candidates, c)
	}
	for _, c := range candidates {
		if isLowOrder(c) != ecdhRefuses(t, c) {
			t.Errorf("%x: isLowOrder = %v, crypto/ecdh disagrees", c, isLowOrder(c))
		}
	}
}

func TestCheckStanza(t *testing.T) {
	t.Parallel()
	share := make([]byte, 32)
	rand.Read(share)
	share[31] &= 0x7f
	enc := make([]byte, hybridEncSize)
	rand.Read(enc)
	body := make([]byte, 32)
	lowEnc := bytes.Clone(enc)
	copy(lowEnc[mlkem768CiphertextSize:], make([]byte, 32))
	e := b64.EncodeToString

	tests := []struct {
		name string
		s    Stanza
		ok   bool
	}{
		{"x25519", Stanza{TypeX25519, []string{e(share)}, body}, true},
		{"x25519 no arg", Stanza{TypeX25519, nil, body}, false},
		{"x25519 two args", Stanza{TypeX25519, []string{e(share), "AA"}, body}, false},
		{"x25519 short share", Stanza{TypeX25519, []string{e(share[:31])}, body}, false},
		{"x25519 padded", Stanza{TypeX25519, []string{e(share) + "="}, body}, false},
		{"x25519 zero share", Stanza{TypeX25519, []string{e(make([]byte, 32))}, body}, false},
		{"x25519 short body", Stanza{TypeX25519, []string{e(share)}, body[:31]}, false},
		{"x25519 long body", Stanza{TypeX25519, []string{e(share)}, make([]byte, 33)}, false},
		{"hybrid", Stanza{TypeHybrid, []string{e(enc)}, body}, true},
		{"hybrid x25519 share", Stanza{TypeHybrid, []string{e(share)}, body}, false},
		{"hybrid low order", Stanza{TypeHybrid, []string{e(lowEnc)}, body}, false},
		{"hybrid body", Stanza{TypeHybrid, []string{e(enc)}, nil}, false},
		{"x25519 with hybrid enc", Stanza{TypeX25519, []string{e(enc)}, body}, false},
		{"unknown type", Stanza{"grease", nil, nil}, true},
		{"lowercase type is unknown", Stanza{strings.ToLower(TypeX25519), nil, nil}, true},
	}
	for _, tt := range tests {
		err := checkStanza(&tt.s)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrBadHeader)) {
			t.Errorf("%s: checkStanza = %v, want ok = %v", tt.name, err, tt.ok)
		}
	}
}
