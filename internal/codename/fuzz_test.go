package codename

import (
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
)

// parseErrorMessage matches every message Parse may return: none of them
// has room for a piece of the input.
var parseErrorMessage = regexp.MustCompile(`^codename: (word [1-9][0-9]* is not in the list|wrong number of words: got [0-9]+, want 7|input too long: more than 512 bytes)$`)

// FuzzParse checks that Parse never panics, that whatever it accepts has a
// normalised form it reads back to the same codename, and that its errors
// are the documented ones and never repeat the input. Seeds come from the
// test vectors.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile(vectorsPath); err == nil {
		var vf vectorFile
		if json.Unmarshal(data, &vf) == nil {
			for _, v := range vf.Valid {
				f.Add(v.Input)
			}
			for _, v := range vf.Invalid {
				f.Add(v.Input)
			}
		}
	}
	f.Add("t shirt yo yo drop down felt tip abacus zoom zoology")
	f.Add("drop drop drop drop drop drop drop")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if kind, _ := errorKind(err); kind == "" {
				t.Fatalf("undocumented error %v", err)
			}
			if c != (Codename{}) {
				t.Fatal("non-zero Codename with an error")
			}
			if !parseErrorMessage.MatchString(err.Error()) {
				t.Fatalf("error %q is not one of the documented messages", err)
			}
			return
		}
		n := c.String()
		if len(strings.Split(n, "-")) < Words {
			t.Fatalf("normalised form %q has too few parts", n)
		}
		again, err := Parse(n)
		if err != nil || again != c {
			t.Fatalf("Parse(%q) = %v, %v; want the same codename", n, again.String(), err)
		}
	})
}

// FuzzParseToken checks that ParseToken accepts exactly the strings
// TokenString writes.
func FuzzParseToken(f *testing.F) {
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nA")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseToken(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedToken) {
				t.Fatalf("undocumented error %v", err)
			}
			return
		}
		if TokenString(tok) != s {
			t.Fatalf("ParseToken accepted %q, which TokenString writes as %q", s, TokenString(tok))
		}
	})
}
