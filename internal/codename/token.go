package codename

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
)

// TokenStringLen is the length of [TokenString]'s output.
const TokenStringLen = 43

// ErrMalformedToken means a string is not a thread token as [TokenString]
// writes it.
var ErrMalformedToken = errors.New("codename: malformed thread token")

// TokenString encodes a thread token for the HTTP API: unpadded base64url
// (RFC 4648 §5), 43 characters.
func TokenString(t [32]byte) string {
	return base64.RawURLEncoding.EncodeToString(t[:])
}

// ParseToken decodes a token written by [TokenString]. It accepts only the
// canonical form: exactly 43 characters of the base64url alphabet, no
// padding, no line breaks, and zero bits in the unused low bits of the
// last character, so that a token has one spelling. Errors wrap
// [ErrMalformedToken] and do not repeat the input.
func ParseToken(s string) ([32]byte, error) {
	var t [32]byte
	if len(s) != TokenStringLen {
		return t, ErrMalformedToken
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != len(t) {
		return t, ErrMalformedToken
	}
	copy(t[:], b)
	return t, nil
}

// TokenVerifier returns SHA-256("difesa thread verifier v1" || t), the
// value a hub stores for a thread instead of its token. The token has 256
// bits of entropy, so a plain hash is enough: a stolen verifier does not
// give the token, and testing codenames against it costs a full [Derive]
// per guess.
func TokenVerifier(t [32]byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(verifierLabel))
	h.Write(t[:])
	var v [32]byte
	h.Sum(v[:0])
	return v
}

// CheckToken reports, in constant time, whether t is the token of
// verifier.
func CheckToken(t, verifier [32]byte) bool {
	v := TokenVerifier(t)
	return subtle.ConstantTimeCompare(v[:], verifier[:]) == 1
}
