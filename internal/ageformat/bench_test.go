package ageformat

import (
	"bytes"
	"io"
	"testing"
)

func BenchmarkReader(b *testing.B) {
	for _, armored := range []bool{false, true} {
		name := "binary"
		if armored {
			name = "armored"
		}
		b.Run(name, func(b *testing.B) {
			file := encrypt(b, make([]byte, 16<<20), armored, testKeys.hybrid[0].Recipient())
			buf := make([]byte, 64<<10)
			b.SetBytes(int64(len(file)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := NewReader(bytes.NewReader(file))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, r, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
