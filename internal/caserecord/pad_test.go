package caserecord

import (
	"strings"
	"testing"

	"filippo.io/age"
)

// TestSealPadsTheSize: the server sees the size of every version of a
// record; two records whose notes differ in length by less than the padding step (about 6 % here)
// must seal to the same size, and the padded record still opens.
func TestSealPadsTheSize(t *testing.T) {
	t.Parallel()
	id, _ := age.GenerateX25519Identity()
	to := []age.Recipient{id.Recipient()}
	sizes := map[int]bool{}
	for _, n := range []int{4000, 4050, 4100} {
		r := New()
		if _, err := r.AddNote("Ana", h13, strings.Repeat("x", n), ""); err != nil {
			t.Fatal(err)
		}
		ct, err := Seal(r, to)
		if err != nil {
			t.Fatal(err)
		}
		sizes[len(ct)] = true
		got, err := Open(ct, id)
		if err != nil {
			t.Fatalf("the padded record does not open: %v", err)
		}
		if len(got.Notes) != 1 || len(got.Notes[0].Text) != n {
			t.Fatalf("opened %d notes", len(got.Notes))
		}
	}
	if len(sizes) != 1 {
		t.Errorf("notes of 4000, 4050 and 4100 bytes seal to sizes %v: the size tells the note's length", sizes)
	}
}

func TestPadStaysWithinTheLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ n, limit, want int }{
		{0, 100, 0},
		{1, 100, 1},
		{1000, 4096, 1024},
		{4000, 4096, 4096},
		{4095, 4096, 4096},
		{4096, 4096, 4096},
	} {
		if got := len(pad(make([]byte, tc.n), tc.limit)); got != tc.want {
			t.Errorf("pad(%d bytes, limit %d) = %d bytes, want %d", tc.n, tc.limit, got, tc.want)
		}
	}
}
