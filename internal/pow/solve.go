package pow

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/bits"
)

// Seed is SHA-256 of the challenge's text, the fixed first half of every
// try.
func Seed(challenge string) [32]byte { return sha256.Sum256([]byte(challenge)) }

// Digest is SHA-256(SHA-256(challenge) || nonce): what must start with
// the challenge's number of zero bits.
func Digest(challenge string, nonce [8]byte) [32]byte {
	var buf [40]byte
	seed := Seed(challenge)
	copy(buf[:32], seed[:])
	copy(buf[32:], nonce[:])
	return sha256.Sum256(buf[:])
}

// LeadingZeros counts the zero bits at the start of h, most significant
// bit of the first byte first.
func LeadingZeros(h [32]byte) int {
	n := 0
	for _, b := range h {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}

// progressEvery is how many tries [Solve] makes between reports.
const progressEvery = 1 << 16

// Solve finds the smallest nonce, counting up from zero as a big-endian
// integer, that solves challenge, and returns it as 16 lowercase hex
// digits. It reads the difficulty from the challenge and cannot check its
// MAC; a difficulty over [MaxSolveBits] is refused with [ErrTooHard]
// before any work. progress, if not nil, is told how many tries were made
// every 65,536 of them; ctx is checked as often.
//
// It runs on one core: a client solves one challenge at a time, and the
// smallest nonce is the same in every implementation (docs/vectors/pow.json).
func Solve(ctx context.Context, challenge string, progress func(tries uint64)) (string, error) {
	c, err := ParseChallenge(challenge)
	if err != nil {
		return "", err
	}
	if c.Bits > MaxSolveBits {
		return "", fmt.Errorf("%w: %d bits, over %d", ErrTooHard, c.Bits, MaxSolveBits)
	}
	return solve(ctx, challenge, c.Bits, progress)
}

// solve is [Solve] without the limit on the difficulty.
func solve(ctx context.Context, challenge string, bits int, progress func(tries uint64)) (string, error) {
	var buf [40]byte
	seed := Seed(challenge)
	copy(buf[:32], seed[:])
	for n := uint64(0); ; n++ {
		binary.BigEndian.PutUint64(buf[32:], n)
		if LeadingZeros(sha256.Sum256(buf[:])) >= bits {
			return hex.EncodeToString(buf[32:]), nil
		}
		if (n+1)%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return "", err
			}
			if progress != nil {
				progress(n + 1)
			}
		}
	}
}
