package form

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseCanonical(t *testing.T) {
	t.Parallel()
	f := exampleForm(t)
	canon, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(canon, []byte(`{"format":"difesa-form/v1","hub":"demo","id":"discrimination","version":2,`)) {
		t.Fatalf("canonical bytes start %q", canon[:80])
	}
	g, err := Parse(canon)
	if err != nil {
		t.Fatal(err)
	}
	if g.Field("danger").ShowIf.Values[0] != No || len(g.Fields) != 10 {
		t.Fatalf("parsed %+v", g)
	}
	// The hand-written source is a valid form but not canonical.
	if _, err := Parse(exampleSource(t)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Parse(source) = %v, want ErrInvalid (not canonical)", err)
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	canon := exampleBytes(t, nil)
	edit := func(e func(f *Form)) []byte { return exampleBytes(t, e) }
	replace := func(old, new string) []byte {
		if !bytes.Contains(canon, []byte(old)) {
			t.Fatalf("%q not in the example", old)
		}
		return bytes.Replace(canon, []byte(old), []byte(new), 1)
	}
	many := func(n int, f func(i int) string) string {
		var parts []string
		for i := range n {
			parts = append(parts, f(i))
		}
		return strings.Join(parts, ",")
	}
	tests := []struct {
		name string
		in   []byte
		code string
	}{
		{"unknown type", edit(func(f *Form) { f.Fields[6].Type = "address" }), "form_invalid"},
		{"condition on itself", edit(func(f *Form) { f.Fields[1].ShowIf.Field = "school_level" }), "form_bad_condition"},
		{"condition on a later field", edit(func(f *Form) { f.Fields[0].ShowIf = &Condition{Field: "safe_now", Values: []string{"no"}} }), "form_bad_condition"},
		{"condition on no field", edit(func(f *Form) { f.Fields[1].ShowIf.Field = "nothing" }), "form_bad_condition"},
		{"condition on a text field", edit(func(f *Form) { f.Fields[5].ShowIf = &Condition{Field: "school_level", Values: []string{"x"}} }), "form_bad_condition"},
		{"condition on an unknown value", edit(func(f *Form) { f.Fields[4].ShowIf.Values = []string{"maybe"} }), "form_bad_condition"},
		{"condition without values", edit(func(f *Form) { f.Fields[4].ShowIf.Values = nil }), "form_bad_condition"},
		{"condition value twice", edit(func(f *Form) { f.Fields[4].ShowIf.Values = []string{"no", "no"} }), "form_bad_condition"},
		{"too many fields", edit(func(f *Form) {
			for i := range MaxFields {
				f.Fields = append(f.Fields, Field{ID: fmt.Sprintf("f%d", i), Type: TypeShortText, Label: Text{"it": "x"}})
			}
		}), "form_too_large"},
		{"too many choices", edit(func(f *Form) {
			for i := range MaxChoices {
				f.Fields[0].Choices = append(f.Fields[0].Choices, Choice{ID: fmt.Sprintf("c%d", i), Label: Text{"it": "x"}})
			}
		}), "form_too_large"},
		{"too many languages", edit(func(f *Form) {
			for i := range MaxLanguages {
				f.Languages = append(f.Languages, fmt.Sprintf("x%c", 'a'+i))
			}
		}), "form_too_large"},
		{"too many condition values", replace(`"values":["no"]`, `"values":[`+many(MaxConditionValues+1, func(i int) string { return `"no"` })+`]`), "form_too_large"},
		{"title too long", edit(func(f *Form) { f.Title["en"] = strings.Repeat("é", MaxTitle+1) }), "form_too_large"},
		{"max_length over the limit", edit(func(f *Form) { f.Fields[1].MaxLength = MaxShortText + 1 }), "form_too_large"},
		{"too large", append(bytes.Clone(canon), bytes.Repeat([]byte(" "), MaxSize)...), "form_too_large"},
		{"duplicate field", edit(func(f *Form) { f.Fields[2].ID = "setting" }), "form_invalid"},
		{"duplicate choice", edit(func(f *Form) { f.Fields[0].Choices[1].ID = "housing" }), "form_invalid"},
		{"duplicate member", replace(`"version":2,`, `"version":2,"version":3,`), "form_invalid"},
		{"duplicate language key", replace(`"title":{"en":"Report discrimination",`, `"title":{"en":"Report discrimination","en":"Your name and address",`), "form_invalid"},
		{"member in another case", replace(`"version":2`, `"Version":2`), "form_invalid"},
		{"unknown member", replace(`"version":2,`, `"version":2,"extra":1,`), "form_invalid"},
		{"white space", replace(`"version":2,`, `"version": 2,`), "form_invalid"},
		{"escaped letter", replace(`"hub":"demo"`, `"hub":"d\u0065mo"`), "form_invalid"},
		{"data after", append(bytes.Clone(canon), []byte(`{}`)...), "form_invalid"},
		{"invalid UTF-8", replace(`Casa`, "Ca\xffa"), "form_invalid"},
		{"bidi override", edit(func(f *Form) { f.Fields[0].Label["en"] = "Where\u202e?" }), "form_invalid"},
		{"newline in a label", edit(func(f *Form) { f.Fields[0].Label["en"] = "Where\n?" }), "form_invalid"},
		{"secret key in a help", edit(func(f *Form) { f.Help["en"] = "age-secret-key-1abc" }), "form_invalid"},
		{"language not the form's", edit(func(f *Form) { f.Title["fr"] = "Signaler" }), "form_invalid"},
		{"first language missing", edit(func(f *Form) { delete(f.Fields[3].Label, "it") }), "form_invalid"},
		{"empty text", edit(func(f *Form) { f.Fields[3].Label["en"] = "" }), "form_invalid"},
		{"version 0", edit(func(f *Form) { f.Version = 0 }), "form_invalid"},
		{"version over 2^53-1", edit(func(f *Form) { f.Version = MaxVersion + 1 }), "form_invalid"},
		{"negative version", replace(`"version":2`, `"version":-2`), "form_invalid"},
		{"fractional version", replace(`"version":2`, `"version":2.0`), "form_invalid"},
		{"wrong format", edit(func(f *Form) { f.Format = "difesa-manifest/v1" }), "form_invalid"},
		{"bad hub", edit(func(f *Form) { f.Hub = "Demo" }), "form_invalid"},
		{"bad id", edit(func(f *Form) { f.ID = "-x" }), "form_invalid"},
		{"no fields", edit(func(f *Form) { f.Fields = nil }), "form_invalid"},
		{"choices on a text", edit(func(f *Form) { f.Fields[1].Choices = f.Fields[0].Choices }), "form_invalid"},
		{"choice without choices", edit(func(f *Form) { f.Fields[0].Choices = nil; f.Fields[1].ShowIf = nil }), "form_invalid"},
		{"max_length on a choice", edit(func(f *Form) { f.Fields[0].MaxLength = 3 }), "form_invalid"},
		{"bad code", edit(func(f *Form) { f.Fields[0].Code = "a b" }), "form_invalid"},
		{"nested too deep", replace(`"version":2,`, `"version":2,"x":[[[[[[[[[]]]]]]]]],`), "form_invalid"},
		{"empty", nil, "form_invalid"},
		{"not an object", []byte(`[]`), "form_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tt.in)
			if err == nil {
				t.Fatal("Parse accepted it")
			}
			if got := Code(err); got != tt.code {
				t.Fatalf("Parse: %v: code %q, want %q", err, got, tt.code)
			}
			for _, word := range []string{"itself", "later"} {
				if strings.Contains(tt.name, word) && !strings.Contains(err.Error(), word) {
					t.Fatalf("Parse: %v does not say %q", err, word)
				}
			}
			if _, err := Decode(tt.in); err == nil && tt.name != "white space" && tt.name != "escaped letter" {
				t.Fatalf("Decode accepted it")
			}
		})
	}
}

func TestDefaultForm(t *testing.T) {
	t.Parallel()
	f := Default("demo")
	b, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(b); err != nil {
		t.Fatal(err)
	}
	if _, err := Sign(testKey(t), f); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Sign(default) = %v, want a refusal: the id is reserved", err)
	}
	var ids []string
	for _, fl := range f.Fields {
		ids = append(ids, fl.ID)
	}
	if got := strings.Join(ids, ","); got != "category,narrative,when,where,who,needs,contact,attachments" {
		t.Fatalf("fields %s", got)
	}
}
