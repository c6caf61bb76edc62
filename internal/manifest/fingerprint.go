package manifest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
)

// fingerprintSize is how many bytes of SHA-256 a fingerprint shows: 160
// bits, 40 hex digits, read aloud in 10 groups of 4.
const fingerprintSize = 20

// Fingerprint returns the first 20 bytes of SHA-256 of the public key bytes,
// as lowercase hex in 10 groups of 4 digits separated by spaces, for
// comparing the key with the administrator out of band (read aloud, printed
// on paper).
func (pk PublicKey) Fingerprint() string {
	sum := sha256.Sum256(pk.k)
	return groupHex(hex.EncodeToString(sum[:fingerprintSize]))
}

// ParseFingerprint parses a fingerprint typed or pasted by a human: case and
// white space are ignored. It returns the canonical form, as
// [PublicKey.Fingerprint] prints it.
func ParseFingerprint(s string) (string, error) {
	h := strings.ToLower(strings.Join(strings.Fields(s), ""))
	if len(h) != 2*fingerprintSize {
		return "", fmt.Errorf("%w: a fingerprint has %d hex digits, got %d characters", ErrBadKey, 2*fingerprintSize, len(h))
	}
	if _, err := hex.DecodeString(h); err != nil {
		return "", fmt.Errorf("%w: a fingerprint has only hex digits 0-9 and a-f", ErrBadKey)
	}
	return groupHex(h), nil
}

// MatchesFingerprint reports whether fp, in any form [ParseFingerprint]
// accepts, is pk's fingerprint. The comparison is constant-time.
func (pk PublicKey) MatchesFingerprint(fp string) bool {
	if pk.k == nil {
		return false
	}
	want, err := ParseFingerprint(fp)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(pk.Fingerprint())) == 1
}

func groupHex(h string) string {
	var b strings.Builder
	for i := 0; i < len(h); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(h[i:min(i+4, len(h))])
	}
	return b.String()
}
