package bundle

import (
	"math"
	"math/bits"
)

// Padme returns the length n is padded to by the Padmé scheme of Nikitin et
// al., "Reducing Metadata Leakage from Encrypted Files and Communication
// with PURBs" (PETS 2019): with E = floor(log2 n) and S = floor(log2 E)+1,
// the low E-S bits of the length are rounded up. The result is at least n,
// at most about 12% larger, and leaks only O(log log n) bits of n.
//
// Padme returns n unchanged for n < 2 and when the padded length would not
// fit in an int64.
func Padme(n int64) int64 {
	if n < 2 {
		return n
	}
	e := bits.Len64(uint64(n)) - 1 // floor(log2 n)
	s := bits.Len64(uint64(e))     // floor(log2 e) + 1
	mask := int64(1)<<(e-s) - 1
	if n > math.MaxInt64-mask {
		return n
	}
	return (n + mask) &^ mask
}
