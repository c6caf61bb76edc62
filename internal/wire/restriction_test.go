package wire

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

const (
	keyA = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
	keyB = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg"
)

func TestParseRestrictionChange(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
		says       string
	}{
		{"two keys, sorted", `{"keys":["` + keyB + `","` + keyA + `"]}`, []string{keyB, keyA}, ""},
		{"one key, spaces", ` { "keys" : [ "` + keyA + `" ] } `, []string{keyA}, ""},
		{"empty", `{"keys":[]}`, nil, "empty"},
		{"null", `{"keys":null}`, nil, `no "keys"`},
		{"missing", `{}`, nil, `no "keys"`},
		{"twice", `{"keys":["` + keyA + `"],"keys":[]}`, nil, "twice"},
		{"duplicate", `{"keys":["` + keyA + `","` + keyA + `"]}`, nil, "listed twice"},
		{"unknown member", `{"keys":["` + keyA + `"],"why":"x"}`, nil, "unknown member"},
		{"not a string", `{"keys":[1]}`, nil, "list of strings"},
		{"not an object", `["` + keyA + `"]`, nil, "not a JSON object"},
		{"trailing", `{"keys":["` + keyA + `"]}x`, nil, "after"},
		{"upper case", `{"keys":["AGE1ABC"]}`, nil, "not an age recipient"},
		{"label", `{"keys":["Responder 1"]}`, nil, "not an age recipient"},
		{"newline inside", `{"keys":["age1a\nb"]}`, nil, "not an age recipient"},
		{"too long", `{"keys":["age1` + strings.Repeat("q", MaxRecipientKeySize) + `"]}`, nil, "over 4096 bytes"},
		{"too many", `{"keys":["` + strings.Repeat(`age1x","`, MaxRestrictionKeys) + `age1y"]}`, nil, "more than 64"},
		{"too large", `{"keys":["` + strings.Repeat("a", MaxRestrictionSize) + `"]}`, nil, "over"},
		{"truncated", `{"keys":["` + keyA, nil, "list of strings"},
		{"no closing brace", `{"keys":["` + keyA + `"]`, nil, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRestrictionChange([]byte(tt.body))
			if tt.says == "" {
				want := slices.Clone(tt.want)
				slices.Sort(want)
				if err != nil || !slices.Equal(got, want) {
					t.Fatalf("= %v, %v; want %v", got, err, want)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrBadRestriction) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("error %v, want one saying %q", err, tt.says)
			}
		})
	}
}

// FuzzParseRestrictionChange: the decoder never panics, and what it
// accepts is a sorted list of distinct, bounded age1… keys that it
// accepts again as the body it would send.
func FuzzParseRestrictionChange(f *testing.F) {
	f.Add([]byte(`{"keys":["` + keyA + `","` + keyB + `"]}`))
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{"keys":["` + keyA + `"],"keys":["` + keyB + `"]}`))
	f.Add([]byte(`{"k\u0065ys":["` + keyA + `"]}`))
	f.Add([]byte(`{"keys":["` + keyA + `"]} {}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := ParseRestrictionChange(data)
		if err != nil {
			if !errors.Is(err, ErrBadRestriction) {
				t.Fatalf("error %v does not match ErrBadRestriction", err)
			}
			return
		}
		if len(keys) == 0 || len(keys) > MaxRestrictionKeys || !slices.IsSorted(keys) {
			t.Fatalf("accepted %d keys, sorted %v", len(keys), slices.IsSorted(keys))
		}
		for i, k := range keys {
			if !strings.HasPrefix(k, "age1") || len(k) > MaxRecipientKeySize || i > 0 && keys[i-1] == k {
				t.Fatalf("accepted key %q", k)
			}
		}
		again, err := ParseRestrictionChange([]byte(`{"keys":["` + strings.Join(keys, `","`) + `"]}`))
		if err != nil || !slices.Equal(again, keys) {
			t.Fatalf("the accepted keys do not parse again: %v %v", again, err)
		}
	})
}
