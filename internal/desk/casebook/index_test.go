package casebook

import (
	"strings"
	"testing"
)

// FuzzIndex: any text and query, however hostile, index and search
// without a panic, and a query made of words of the text finds it.
func FuzzIndex(f *testing.F) {
	for _, seed := range [][2]string{
		{"police raided the office", "pol office"},
		{"<script>alert(1)</script>", "script"},
		{"straße Ñandú \x00 \ufffd", "ñan"},
		{strings.Repeat("a", 1000), "aaa"},
		{"", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, text, query string) {
		x := newIndex()
		x.put("h/a", text)
		x.put("h/b", "unrelated words")
		x.search(query)
		words := tokens(text)
		if len(words) > 0 {
			q := strings.Join(words[:min(3, len(words))], " ")
			if !x.search(q)["h/a"] {
				t.Fatalf("query %q made of words of the text does not find it", q)
			}
		}
		x.drop("h/a")
		if len(words) > 0 && x.search(words[0])["h/a"] {
			t.Fatal("a dropped document is still found")
		}
	})
}
