package form

import (
	"bytes"
	"testing"
)

// FuzzParse: Parse never panics, and what it accepts re-encodes to the same
// bytes and passes Decode.
func FuzzParse(f *testing.F) {
	f.Add(exampleBytes(f, nil))
	f.Add(exampleSource(f))
	b, _ := Default("demo").Marshal()
	f.Add(b)
	f.Add([]byte(`{"format":"difesa-form/v1"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fm, err := Parse(b)
		if err != nil {
			if Code(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		again, err := fm.Marshal()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted bytes do not re-encode to themselves: %v", err)
		}
		fm.Shown(map[string][]string{})
	})
}

// FuzzParseAnswers: ParseAnswers never panics; what it accepts re-encodes
// and parses again, and CheckAnswers against the example form never
// panics.
func FuzzParseAnswers(f *testing.F) {
	h := Hash(exampleBytes(f, nil))
	f.Add([]byte(`{"form":"discrimination","version":2,"hash":"` + h + `","answers":{"setting":["school"],"safe_now":["yes"]}}`))
	f.Add([]byte(`{"form":"f","version":1,"hash":"` + h + `","answers":{"a":["x"],"a":["y"]}}`))
	form := exampleForm(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseAnswers(b)
		if err != nil {
			if Code(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		canon, err := a.Marshal()
		if err != nil {
			t.Fatalf("accepted answers do not marshal: %v", err)
		}
		if _, err := ParseAnswers(canon); err != nil {
			t.Fatalf("canonical answers do not parse: %v", err)
		}
		_ = CheckAnswers(form, h, a)
	})
}

func FuzzParseSigned(f *testing.F) {
	s, _ := Sign(testKey(f), exampleForm(f))
	f.Add(MarshalSigned(s))
	pub := testKey(f).Public()
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSigned(b)
		if err != nil {
			return
		}
		_, _ = Verify(s, pub)
	})
}
