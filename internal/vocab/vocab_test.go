package vocab

import (
	"slices"
	"testing"
)

func TestEmbeddedFilesLoad(t *testing.T) {
	v, err := load()
	if err != nil {
		t.Fatal(err)
	}
	if len(v.order) < 150 {
		t.Errorf("%d shared terms, want at least 150", len(v.order))
	}
}

func TestScheme(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]string{
		"act.threat":                   "act",
		"act.threat.online":            "act",
		"perpetrator.state.police":     "perpetrator",
		"right.expression":             "right",
		"profile.field.lgbtiq":         "profile",
		"country.SI":                   "country",
		"region.SI04":                  "region",
		"x-demo.region.ljubljana":      "region",
		"x-demo.act.threat.graffiti":   "act",
		"2026-03":                      "time",
		"2026-Q1":                      "time",
		"2026":                         "time",
		"":                             "",
		"threats":                      "",
		"time.2026":                    "",
		"2026-13":                      "",
		"acts.threat":                  "",
		"x-demo":                       "",
		"x-demo.weather.rain":          "",
		"ACT.threat":                   "",
		"act":                          "act",
		"country":                      "country",
		"x-demo.country.SI":            "country",
		"x-.act.threat":                "act",
		"perpetrator.non_state.media":  "perpetrator",
		"profile.group.woman":          "profile",
		"right.non_discrimination":     "right",
		"act.restriction.registration": "act",
	} {
		if got := Scheme(code); got != want {
			t.Errorf("Scheme(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code                  string
		ok                    bool
		scheme, parent, label string
		country               string
	}{
		{"act.threat", true, "act", "", "Threats", ""},
		{"act.threat.online", true, "act", "act.threat", "Online threats", ""},
		{"perpetrator.state.police", true, "perpetrator", "perpetrator.state", "Police", ""},
		{"perpetrator.unknown", true, "perpetrator", "", "Unknown", ""},
		{"right.assembly", true, "right", "", "Freedom of peaceful assembly", ""},
		{"profile.field.environment", true, "profile", "profile.field", "Environment and land", ""},
		{"country.SI", true, "country", "", "Slovenia", "country.SI"},
		{"country.JP", true, "country", "", "JP", "country.JP"}, // valid by rule, no name shipped
		{"country.UK", false, "", "", "", ""},                   // reserved, not assigned: GB
		{"country.EU", false, "", "", "", ""},
		{"country.si", false, "", "", "", ""},
		{"region.SI04", true, "region", "", "SI04", "country.SI"},
		{"region.EL30", true, "region", "", "EL30", "country.GR"},
		{"region.ITC4C", true, "region", "", "ITC4C", "country.IT"},
		{"region.UKI3", false, "", "", "", ""}, // no longer in NUTS
		{"region.JP1", false, "", "", "", ""},
		{"region.SI", false, "", "", "", ""},
		{"region.SI0411", false, "", "", "", ""},
		{"region.si04", false, "", "", "", ""},
		{"2026-03", true, "time", "", "2026-03", ""},
		{"2026-Q4", true, "time", "", "2026-Q4", ""},
		{"1899", false, "", "", "", ""},
		{"2026-00", false, "", "", "", ""},
		{"2026-Q5", false, "", "", "", ""},
		{"2026-3", false, "", "", "", ""},
		{"act", false, "", "", "", ""},
		{"act.threat.", false, "", "", "", ""},
		{"act.threat.nonexistent", false, "", "", "", ""},
		{"x-demo.act.graffiti", false, "", "", "", ""}, // no extensions given
		{"", false, "", "", "", ""},
	}
	for _, tt := range tests {
		got, ok := Lookup(tt.code)
		if ok != tt.ok {
			t.Errorf("Lookup(%q) ok = %v, want %v", tt.code, ok, tt.ok)
			continue
		}
		if ok != Valid(tt.code, nil) {
			t.Errorf("Valid(%q) = %v, Lookup ok = %v", tt.code, !ok, ok)
		}
		if !ok {
			continue
		}
		want := Term{Code: tt.code, Scheme: tt.scheme, Parent: tt.parent, Label: tt.label, Country: tt.country}
		got.Scope = ""
		if got != want {
			t.Errorf("Lookup(%q) = %+v, want %+v", tt.code, got, want)
		}
		if Parent(tt.code) != tt.parent {
			t.Errorf("Parent(%q) = %q, want %q", tt.code, Parent(tt.code), tt.parent)
		}
	}
}

func TestChildren(t *testing.T) {
	t.Parallel()
	if got, want := Children("act.threat"), []string{"act.threat.death", "act.threat.online", "act.threat.direct", "act.threat.intimidation"}; !slices.Equal(got, want) {
		t.Errorf("Children(act.threat) = %q, want %q", got, want)
	}
	if got, want := Children("perpetrator"), []string{"perpetrator.state", "perpetrator.non_state", "perpetrator.unknown"}; !slices.Equal(got, want) {
		t.Errorf("Children(perpetrator) = %q, want %q", got, want)
	}
	for _, code := range []string{"act.threat.online", "country.SI", "nothing", ""} {
		if got := Children(code); got != nil {
			t.Errorf("Children(%q) = %q, want none", code, got)
		}
	}
	// Children and Parent agree over the whole list, and every term is
	// reached from its scheme.
	reached := map[string]bool{}
	var walk func(string)
	walk = func(code string) {
		for _, c := range Children(code) {
			if reached[c] {
				t.Errorf("%s reached twice", c)
			}
			reached[c] = true
			if p := Parent(c); p != code && !(p == "" && code == Scheme(c)) {
				t.Errorf("Parent(%s) = %q, but it is a child of %s", c, p, code)
			}
			walk(c)
		}
	}
	for _, s := range Schemes {
		walk(s)
	}
	for _, c := range Codes() {
		if !reached[c] {
			t.Errorf("%s is not reached from its scheme", c)
		}
	}
	// Acts are a two-level list; so are perpetrators and profiles.
	for _, c := range Codes() {
		if d := len(splitDots(c)); d > 3 {
			t.Errorf("%s is %d levels deep, want at most 2 below the scheme", c, d-1)
		}
	}
}

func splitDots(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func TestLabel(t *testing.T) {
	t.Parallel()
	tests := []struct{ code, lang, want string }{
		{"act.threat.online", "en", "Online threats"},
		{"act.threat.online", "sl", "Spletne grožnje"},
		{"act.judicial.slapp", "it", "Azione legale temeraria (SLAPP)"},
		{"country.DE", "pl", "Niemcy"},
		{"country.DE", "xx", "Germany"},      // unknown language: English
		{"country.JP", "fr", "JP"},           // valid by rule: its code
		{"2026-Q1", "ro", "2026-Q1"},         // a time is its code
		{"act.nothing", "es", "act.nothing"}, // not a term: its code
	}
	for _, tt := range tests {
		if got := Label(tt.code, tt.lang); got != tt.want {
			t.Errorf("Label(%q, %q) = %q, want %q", tt.code, tt.lang, got, tt.want)
		}
	}
}
