package wire_test

import (
	"strconv"
	"testing"

	"difesa.org/difesa/internal/wire"
)

// FuzzParseVersion: ParseVersion accepts exactly what FormatVersion
// writes.
func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{`"0"`, `"1"`, `"18446744073709551615"`, `"18446744073709551616"`, `"01"`, `W/"1"`, `*`, `"1", "2"`, `""`, `"-1"`, `" 1"`, "\"1\x00\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := wire.ParseVersion(s)
		if ok && wire.FormatVersion(v) != s {
			t.Fatalf("ParseVersion(%q) = %d, which FormatVersion writes as %q", s, v, wire.FormatVersion(v))
		}
		if !ok && v != 0 {
			t.Fatalf("ParseVersion(%q) refused with %d", s, v)
		}
		if len(s) > 2 {
			if n, err := strconv.ParseUint(s[1:len(s)-1], 10, 64); err == nil && wire.FormatVersion(n) == s && !ok {
				t.Fatalf("ParseVersion(%q) refused what FormatVersion writes", s)
			}
		}
	})
}
