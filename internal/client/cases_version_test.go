package client_test

import (
	"testing"

	"difesa.org/difesa/internal/client"
)

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{`"0"`, 0, true},
		{`"1"`, 1, true},
		{`"18446744073709551615"`, 1<<64 - 1, true},
		{`"18446744073709551616"`, 0, false}, // over uint64
		{`"01"`, 0, false},
		{`1`, 0, false},
		{`W/"1"`, 0, false},
		{`""`, 0, false},
		{`"-1"`, 0, false},
		{`"+1"`, 0, false},
		{`" 1"`, 0, false},
		{`"1", "2"`, 0, false},
		{`*`, 0, false},
		{``, 0, false},
		{`"1e3"`, 0, false},
	} {
		got, ok := client.ParseVersion(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseVersion(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if tc.ok && client.FormatVersion(got) != tc.in {
			t.Errorf("FormatVersion(%d) = %q, want %q", got, client.FormatVersion(got), tc.in)
		}
	}
}
