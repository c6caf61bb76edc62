package form

import (
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"difesa.org/difesa/internal/manifest"
)

// testKey is the public test vector admin key of docs/manifest.md (seed
// 01 02 … 20); otherKey has the seed 20 1f … 01.
func testKey(t testing.TB) *manifest.SecretKey  { return keyFromSeed(t, false) }
func otherKey(t testing.TB) *manifest.SecretKey { return keyFromSeed(t, true) }

func keyFromSeed(t testing.TB, reversed bool) *manifest.SecretKey {
	t.Helper()
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(i + 1)
		if reversed {
			seed[i] = byte(32 - i)
		}
	}
	sk, err := manifest.ParseSecretKeyFile(strings.NewReader("DIFESA-ADMIN-SECRET-KEY-" + base64.RawURLEncoding.EncodeToString(seed) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return sk
}

// exampleSource is the hand-written example form (two languages,
// conditions), exampleForm its decoded form.
func exampleSource(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/discrimination.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func exampleForm(t testing.TB) *Form {
	t.Helper()
	f, err := Decode(exampleSource(t))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// exampleBytes returns the canonical bytes of the example form after edit.
func exampleBytes(t testing.TB, edit func(f *Form)) []byte {
	t.Helper()
	f := exampleForm(t)
	if edit != nil {
		edit(f)
	}
	b, err := marshalCanonical(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
