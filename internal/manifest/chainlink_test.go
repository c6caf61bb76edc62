package manifest

import (
	"errors"
	"strings"
	"testing"
)

// TestMarshalRefusesABadPreviousHash builds manifests past epoch 1 whose
// previous field is not a SHA-256 in lowercase hex: the chain would point
// nowhere, or somewhere other than a verifier computes.
func TestMarshalRefusesABadPreviousHash(t *testing.T) {
	t.Parallel()
	good := Hash([]byte("epoch 1"))
	for _, prev := range []string{
		"none",
		"abc",
		good[:63],
		good + "0",
		strings.ToUpper(good),
		good[:62] + "g0",
		strings.Repeat("x", 500),
	} {
		m := epoch2([]byte("epoch 1"))
		m.Previous = prev
		b, err := m.Marshal()
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "64 lowercase hex digits") {
			t.Errorf("Marshal with previous %q = %q, %v; want ErrMalformed about the hash", truncate(prev), b, err)
		}
		if err != nil && len(err.Error()) > 200 {
			t.Errorf("the error quotes the whole previous field: %d bytes", len(err.Error()))
		}
	}
	m := epoch2([]byte("epoch 1"))
	if _, err := m.Marshal(); err != nil {
		t.Fatalf("a good previous hash: %v", err)
	}
}

// TestParseNamesTheMissingField renames each field line in turn: the error
// names the line and the field it wants there.
func TestParseNamesTheMissingField(t *testing.T) {
	t.Parallel()
	s1, _ := chain(t)
	for _, tt := range []struct {
		line  int
		field string
	}{
		{2, "hub"},
		{3, "epoch"},
		{4, "issued"},
		{5, "previous"},
		{6, "recipient"},
	} {
		lines := strings.SplitAfter(string(s1.Manifest), "\n")
		orig := strings.TrimSuffix(lines[tt.line-1], "\n")
		in := replaceLine(s1.Manifest, tt.line, "x"+orig)
		_, err := Parse(in)
		want := `line ` + string(rune('0'+tt.line)) + `: want "` + tt.field + `: …"`
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), want) {
			t.Errorf("line %d renamed: %v; want ErrMalformed saying %s", tt.line, err, want)
		}
	}
}

// TestAgeRecipientsRefusesABadKey checks a manifest built in code, not
// parsed: a key that does not parse is refused with its position.
func TestAgeRecipientsRefusesABadKey(t *testing.T) {
	t.Parallel()
	m := epoch2([]byte("epoch 1"))
	m.Recipients[1].Key = "age1notakey"
	rs, err := m.AgeRecipients()
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "recipient 2") || rs != nil {
		t.Fatalf("AgeRecipients with a bad second key = %v, %v; want ErrMalformed naming recipient 2", rs, err)
	}
	m.Recipients[1].Key = testPQ[1]
	if rs, err := m.AgeRecipients(); err != nil || len(rs) != 2 {
		t.Fatalf("AgeRecipients = %d, %v", len(rs), err)
	}
}
