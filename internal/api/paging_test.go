package api

import (
	"strconv"
	"testing"
)

// FuzzParseCursor: a cursor is accepted only in the one form the server
// writes, and nothing panics.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{"0", "1", "42", "18446744073709551615", "18446744073709551616", "", "-1", "+1", "01", "1e3", "0x1", " 1", "１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseCursor([]string{s})
		if ok && formatCursor(n) != s {
			t.Fatalf("accepted %q as %d", s, n)
		}
		if want, err := strconv.ParseUint(s, 10, 64); err == nil && strconv.FormatUint(want, 10) == s && (!ok || n != want) {
			t.Fatalf("refused the canonical cursor %q", s)
		}
	})
}
