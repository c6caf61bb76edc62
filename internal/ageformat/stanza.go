package ageformat

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
)

// Stanza types this package knows the structure of.
const (
	TypeX25519 = "X25519"
	TypeHybrid = "mlkem768x25519"
)

// Sizes fixed by the age specification and its ML-KEM-768 + X25519 hybrid.
const (
	x25519ShareSize        = 32                                       // Curve25519 u-coordinate
	mlkem768CiphertextSize = 1088                                     // FIPS 203, ML-KEM-768
	hybridEncSize          = mlkem768CiphertextSize + x25519ShareSize // 1,120 bytes
	wrappedFileKeySize     = 16 + 16                                  // file key + ChaCha20-Poly1305 tag
)

// b64 is the stanza argument encoding of age: standard alphabet, no padding,
// canonical (strict) trailing bits.
var b64 = base64.RawStdEncoding.Strict()

// Stanza is one recipient stanza of an age header, as age parsed it.
type Stanza struct {
	Type string
	Args []string
	Body []byte
}

// decodeArg decodes a stanza argument exactly as age's internal/format does:
// strict unpadded base64, with CR and LF refused because the decoder would
// otherwise silently skip them.
func decodeArg(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\n\r") {
		return nil, fmt.Errorf("unexpected newline character")
	}
	return b64.DecodeString(s)
}

// checkStanza applies, without any key, the checks age applies to a stanza
// of a type it knows before (or while) trying to unwrap it, and whose
// failure age reports as a fatal header error rather than as "no match".
// Stanzas of other types pass: age's parser accepts them, and
// [CheckRecipients] is where hub policy refuses them.
func checkStanza(s *Stanza) error {
	switch s.Type {
	case TypeX25519:
		share, err := oneArg(s, x25519ShareSize)
		if err != nil {
			return err
		}
		if isLowOrder(share) {
			return fmt.Errorf("%w: X25519 share is a low-order point", ErrBadHeader)
		}
	case TypeHybrid:
		enc, err := oneArg(s, hybridEncSize)
		if err != nil {
			return err
		}
		// The ML-KEM-768 part cannot be checked: decapsulation accepts any
		// 1,088 bytes (implicit rejection). The X25519 part is fed to
		// crypto/ecdh, which refuses an all-zero shared secret.
		if isLowOrder(enc[mlkem768CiphertextSize:]) {
			return fmt.Errorf("%w: X25519 part of mlkem768x25519 enc is a low-order point", ErrBadHeader)
		}
	default:
		return nil
	}
	if len(s.Body) != wrappedFileKeySize {
		return fmt.Errorf("%w: %s stanza body is %d bytes, want %d", ErrBadHeader, s.Type, len(s.Body), wrappedFileKeySize)
	}
	return nil
}

// oneArg checks that s has exactly one argument decoding to size bytes.
func oneArg(s *Stanza, size int) ([]byte, error) {
	if len(s.Args) != 1 {
		return nil, fmt.Errorf("%w: %s stanza has %d arguments, want 1", ErrBadHeader, s.Type, len(s.Args))
	}
	b, err := decodeArg(s.Args[0])
	if err != nil {
		return nil, fmt.Errorf("%w: %s stanza argument: %v", ErrBadHeader, s.Type, err)
	}
	if len(b) != size {
		return nil, fmt.Errorf("%w: %s stanza argument is %d bytes, want %d", ErrBadHeader, s.Type, len(b), size)
	}
	return b, nil
}

// lowOrderEncodings is the set of 32-byte strings that X25519 (RFC 7748)
// maps to a point of small order, so that the shared secret with any
// clamped scalar is all zeros and age (via x/crypto/curve25519 or
// crypto/ecdh) refuses the stanza.
//
// Derivation. X25519 decodes 32 bytes little-endian, clears bit 255, and
// reduces modulo p = 2^255 - 19. A clamped scalar is a multiple of 8, the
// cofactor of the curve (the twist's is 4), so the output is zero exactly
// when the decoded u is the u-coordinate of a point of order 1, 2, 4 or 8 on
// the curve or its twist. Those u are
//
//	0, 1, p-1, and the two order-8 u-coordinates
//	325606250916557431795983626356110631294008115727848805560023387167927233504
//	39382357235489614581723060781553021112529911719440698176882885853963445705823
//
// (the list of cr.yp.to/ecdh.html and libsodium's has_small_order). Each u
// has the extra non-canonical encoding u+p when that is below 2^255, which is
// only the case for u < 19, so for 0 and 1 (giving p and p+1). Every one of
// those seven 255-bit values may also appear with bit 255 set. That makes 14
// encodings; TestLowOrderMatchesECDH cross-checks the set against
// crypto/ecdh, both ways.
var lowOrderEncodings = deriveLowOrderEncodings()

func deriveLowOrderEncodings() map[[32]byte]bool {
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	order8a, _ := new(big.Int).SetString("325606250916557431795983626356110631294008115727848805560023387167927233504", 10)
	order8b, _ := new(big.Int).SetString("39382357235489614581723060781553021112529911719440698176882885853963445705823", 10)
	canonical := []*big.Int{
		big.NewInt(0),                      // order 2 (the point (0, 0))
		big.NewInt(1),                      // order 4, on the twist
		new(big.Int).Sub(p, big.NewInt(1)), // order 4
		order8a,
		order8b,
	}
	limit := new(big.Int).Lsh(big.NewInt(1), 255)
	set := make(map[[32]byte]bool)
	for _, u := range canonical {
		for _, v := range []*big.Int{u, new(big.Int).Add(u, p)} {
			if v.Cmp(limit) >= 0 {
				continue
			}
			var enc [32]byte
			be := v.FillBytes(make([]byte, 32))
			for i := range enc {
				enc[i] = be[31-i]
			}
			set[enc] = true
			enc[31] |= 0x80
			set[enc] = true
		}
	}
	return set
}

// isLowOrder reports whether the X25519 share b (32 bytes) encodes a point
// of small order, see [lowOrderEncodings].
func isLowOrder(b []byte) bool {
	return len(b) == 32 && lowOrderEncodings[[32]byte(b)]
}
