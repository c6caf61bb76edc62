package casebook

import (
	"testing"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/wire"
)

// TestSearchAndFilters: full text over fields, narratives, follow-ups and
// file names, with the inbox's filters.
func TestSearchAndFilters(t *testing.T) {
	f := newFixture(t)
	a, keys := f.submit(t, bundle.KindReport, &bundle.Report{Category: "arbitrary_detention", Narrative: "Journalist detained", Where: "Oaxaca"}, map[string][]byte{"Warrant-Scan.pdf": []byte("%PDF-1.4")}, false)
	f.followup(t, keys, "released on bail today")
	c, _ := f.submit(t, bundle.KindAlert, &bundle.Report{Category: "other", Narrative: "Ñandú café, straße"}, nil, true)
	b := f.open(t)
	syncAll(t, b)
	for _, tc := range []struct {
		name string
		f    Filter
		want []string
	}{
		{"field", Filter{Query: "oaxaca"}, []string{a}},
		{"prefix and case", Filter{Query: "JOURN det"}, []string{a}},
		{"follow-up finds its case", Filter{Query: "bail"}, []string{a}},
		{"file name", Filter{Query: "warrant scan"}, []string{a}},
		{"unicode", Filter{Query: "ñandú STRASSE"}, nil},
		{"unicode word", Filter{Query: "straße"}, []string{c}},
		{"no match", Filter{Query: "nothing"}, nil},
		{"empty query", Filter{Query: ""}, nil},
		{"kind", Filter{Query: "café", Kind: wire.KindAlert}, []string{c}},
		{"kind excludes", Filter{Query: "café", Kind: wire.KindReport}, nil},
		{"category", Filter{Query: "detained", Category: "arbitrary_detention"}, []string{a}},
		{"month", Filter{Query: "detained", Month: "2026-11"}, []string{a}},
		{"other month", Filter{Query: "detained", Month: "1999-01"}, nil},
		{"hub", Filter{Query: "detained", Hub: "other"}, nil},
		{"status", Filter{Query: "detained", Status: wire.StatusClosed}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := b.Search(tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range p.Items {
				got = append(got, it.ID)
			}
			if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) || p.Total != len(tc.want) {
				t.Fatalf("Search(%+v) = %v, want %v", tc.f, got, tc.want)
			}
		})
	}
	if _, err := b.Search(Filter{Query: string(make([]byte, maxQuery+1))}); err == nil {
		t.Fatal("an oversized query was accepted")
	}
	p := mustInbox(t, b, Filter{Kind: wire.KindReport})
	if p.Total != 1 || p.Items[0].Followups != 1 || p.Items[0].Category != "arbitrary_detention" {
		t.Fatalf("inbox of reports = %+v", p.Items)
	}
}
