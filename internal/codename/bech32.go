package codename

import "strings"

// age spells keys in Bech32 (BIP 173, the original checksum, not Bech32m)
// but keeps its encoder in an internal package. This is the encoding half,
// enough to turn a seed into the AGE-SECRET-KEY-PQ-1… string that
// [filippo.io/age.ParseHybridIdentity] reads. Decoding stays age's job, and
// the tests check that age decodes what this writes.

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// bech32Encode returns the Bech32 encoding of data under the lowercase hrp,
// in lowercase. It has no error path: hrp is always one of this package's
// constants.
func bech32Encode(hrp string, data []byte) string {
	values := toBase32(data)
	var b strings.Builder
	b.WriteString(hrp)
	b.WriteByte('1')
	for _, v := range values {
		b.WriteByte(bech32Charset[v])
	}
	for _, v := range bech32Checksum(hrp, values) {
		b.WriteByte(bech32Charset[v])
	}
	return b.String()
}

// toBase32 regroups data into 5-bit values, padding the last with zeros.
func toBase32(data []byte) []byte {
	var out []byte
	var acc uint32
	var bits uint
	for _, d := range data {
		acc = acc<<8 | uint32(d)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, byte(acc>>bits)&31)
		}
	}
	if bits > 0 {
		out = append(out, byte(acc<<(5-bits))&31)
	}
	return out
}

func bech32Checksum(hrp string, values []byte) [6]byte {
	var in []byte
	for i := 0; i < len(hrp); i++ {
		in = append(in, hrp[i]>>5)
	}
	in = append(in, 0)
	for i := 0; i < len(hrp); i++ {
		in = append(in, hrp[i]&31)
	}
	in = append(in, values...)
	in = append(in, 0, 0, 0, 0, 0, 0)
	mod := bech32Polymod(in) ^ 1
	var sum [6]byte
	for i := range sum {
		sum[i] = byte(mod>>(5*(5-i))) & 31
	}
	return sum
}

func bech32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := range gen {
			if top>>i&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}
