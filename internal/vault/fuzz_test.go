package vault

import (
	"bytes"
	"errors"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

// FuzzOpenRecord feeds hostile stored values to the record decoder: it
// must never panic, and nothing but a record sealed under the key, at
// that bucket and key, may open.
func FuzzOpenRecord(f *testing.F) {
	aead, err := chacha20poly1305.NewX(bytes.Repeat([]byte{7}, dataKeyLen))
	if err != nil {
		f.Fatal(err)
	}
	var genuine [][]byte
	for _, v := range [][]byte{{}, []byte("a report"), bytes.Repeat([]byte("x"), 5000)} {
		// A fixed nonce: the fuzzer's workers must agree on the seeds.
		r := sealWithNonce(aead, "reports", "sub_01", v, 20000, bytes.Repeat([]byte{byte(len(v))}, chacha20poly1305.NonceSizeX))
		genuine = append(genuine, r)
		f.Add(r, "reports", "sub_01")
		f.Add(r, "reports", "sub_02")
		f.Add(r[:len(r)-1], "reports", "sub_01")
	}
	f.Add([]byte{}, "a", "b")
	f.Add([]byte{1, 0, 0, 0, 0}, "a", "b")
	f.Add(bytes.Repeat([]byte{1}, recordOverhead), "a", "b")
	f.Fuzz(func(t *testing.T, raw []byte, bucket, key string) {
		_, err := decodeRecord(raw)
		plain, _, oerr := open(aead, bucket, key, raw)
		if err != nil && oerr == nil {
			t.Fatal("open accepted a record decodeRecord refuses")
		}
		if oerr != nil {
			if !errors.Is(oerr, ErrTampered) {
				t.Fatalf("error %v does not wrap ErrTampered", oerr)
			}
			return
		}
		if bucket != "reports" || key != "sub_01" {
			t.Fatalf("a record opened at %q/%q", bucket, key)
		}
		for _, g := range genuine {
			if bytes.Equal(g, raw) {
				_ = plain
				return
			}
		}
		t.Fatal("a forged record opened")
	})
}
