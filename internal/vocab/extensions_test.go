package vocab

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// demoList is a hub list with a term under a shared act, a term under one
// of the hub's own, a perpetrator, regions with a country and a NUTS
// region the hub names.
const demoList = `{
 "version": 1,
 "hub": "demo",
 "terms": [
  {"code": "x-demo.act.threat.graffiti.home", "labels": {"en": "Graffiti on a defender's home"}},
  {"code": "x-demo.act.threat.graffiti", "labels": {"en": "Threatening graffiti", "sl": "Grozilni grafiti"}, "scope": "Threats painted or written where the defender lives or works."},
  {"code": "x-demo.perpetrator.non_state.football_ultras", "labels": {"en": "Football ultras"}},
  {"code": "x-demo.region.ljubljana", "country": "country.SI", "labels": {"en": "Ljubljana"}},
  {"code": "x-demo.region.ljubljana.center", "labels": {"en": "Center", "sl": "Center"}},
  {"code": "region.SI04", "labels": {"en": "Western Slovenia", "sl": "Zahodna Slovenija"}}
 ]
}`

func TestParseExtensions(t *testing.T) {
	t.Parallel()
	e, err := ParseExtensions([]byte(demoList), "demo")
	if err != nil {
		t.Fatal(err)
	}
	if e.Hub() != "demo" {
		t.Errorf("Hub = %q", e.Hub())
	}
	if got, want := e.Codes(), []string{"x-demo.act.threat.graffiti.home", "x-demo.act.threat.graffiti", "x-demo.perpetrator.non_state.football_ultras", "x-demo.region.ljubljana", "x-demo.region.ljubljana.center"}; !slices.Equal(got, want) {
		t.Errorf("Codes = %q, want %q", got, want)
	}
	for code, want := range map[string]Term{
		"x-demo.act.threat.graffiti":                   {Code: "x-demo.act.threat.graffiti", Scheme: "act", Parent: "act.threat", Label: "Threatening graffiti", Scope: "Threats painted or written where the defender lives or works.", Hub: "demo"},
		"x-demo.act.threat.graffiti.home":              {Code: "x-demo.act.threat.graffiti.home", Scheme: "act", Parent: "x-demo.act.threat.graffiti", Label: "Graffiti on a defender's home", Hub: "demo"},
		"x-demo.perpetrator.non_state.football_ultras": {Code: "x-demo.perpetrator.non_state.football_ultras", Scheme: "perpetrator", Parent: "perpetrator.non_state", Label: "Football ultras", Hub: "demo"},
		"x-demo.region.ljubljana":                      {Code: "x-demo.region.ljubljana", Scheme: "region", Label: "Ljubljana", Country: "country.SI", Hub: "demo"},
		"x-demo.region.ljubljana.center":               {Code: "x-demo.region.ljubljana.center", Scheme: "region", Parent: "x-demo.region.ljubljana", Label: "Center", Country: "country.SI", Hub: "demo"},
		"act.threat":                                   {Code: "act.threat", Scheme: "act", Label: "Threats", Scope: "Words or signs that announce harm to a defender or to what they care about."},
	} {
		got, ok := e.Lookup(code)
		if !ok || got != want {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", code, got, ok, want)
		}
		if !Valid(code, e) {
			t.Errorf("Valid(%q, ext) = false", code)
		}
	}
	if got, _ := e.Lookup("region.SI04"); got.Label != "Western Slovenia" || got.Country != "country.SI" {
		t.Errorf("Lookup(region.SI04) = %+v: want the name the hub gave it", got)
	}
	if Valid("x-demo.act.threat.graffiti", nil) {
		t.Error("a hub term is valid without the hub's list")
	}
	if got := e.Children("act.threat"); !slices.Equal(got, append(Children("act.threat"), "x-demo.act.threat.graffiti")) {
		t.Errorf("Children(act.threat) = %q: want the shared ones, then the hub's", got)
	}
	if got := e.Children("region"); !slices.Equal(got, []string{"x-demo.region.ljubljana"}) {
		t.Errorf("Children(region) = %q", got)
	}
	for _, tt := range []struct{ code, lang, want string }{
		{"x-demo.act.threat.graffiti", "sl", "Grozilni grafiti"},
		{"x-demo.act.threat.graffiti", "pl", "Threatening graffiti"},
		{"region.SI04", "sl", "Zahodna Slovenija"},
		{"region.SI04", "it", "Western Slovenia"},
		{"region.SI03", "sl", "SI03"},
		{"act.threat", "sl", "Grožnje"},
	} {
		if got := e.Label(tt.code, tt.lang); got != tt.want {
			t.Errorf("Label(%q, %q) = %q, want %q", tt.code, tt.lang, got, tt.want)
		}
	}
}

func TestParseExtensionsRefuses(t *testing.T) {
	t.Parallel()
	term := func(code string, extra ...string) string {
		return fmt.Sprintf(`{"code":%q,"labels":{"en":"Something new"}%s}`, code, strings.Join(extra, ""))
	}
	list := func(terms ...string) string {
		return `{"version":1,"hub":"demo","terms":[` + strings.Join(terms, ",") + `]}`
	}
	many := make([]string, MaxExtensionTerms+1)
	for i := range many {
		many[i] = term(fmt.Sprintf("x-demo.act.other.t%d", i))
	}
	tests := []struct {
		name, data string
		want       error
	}{
		{"redefines a shared code", list(term("act.threat")), ErrSharedCode},
		{"redefines a shared country", list(term("country.SI")), ErrSharedCode},
		{"redefines a country valid by rule", list(term("country.JP")), ErrSharedCode},
		{"redefines a time", list(term("2026-03")), ErrSharedCode},
		{"shadows a shared code under its prefix", list(term("x-demo.act.threat")), ErrShadow},
		{"shadows a shared code deeper", list(term("x-demo.act.threat.online")), ErrShadow},
		{"shadows a shared label", list(`{"code":"x-demo.act.menaces","labels":{"en":"threats"}}`), ErrShadow},
		{"another hub's prefix", list(term("x-other.act.graffiti")), ErrBadPrefix},
		{"no prefix", list(term("act.graffiti")), ErrBadPrefix},
		{"prefix of a longer hub ID", list(term("x-demo2.act.graffiti")), ErrBadPrefix},
		{"prefix without a dot", list(term("x-demoact.graffiti")), ErrBadPrefix},
		{"a shared-looking scheme", list(term("acts.graffiti")), ErrBadPrefix},
		{"duplicate code", list(term("x-demo.act.graffiti"), term("x-demo.act.graffiti")), ErrDuplicate},
		{"duplicate NUTS region", list(term("region.SI04"), term("region.SI04")), ErrDuplicate},
		{"too many terms", list(many...), ErrExtensionTooLarge},
		{"too many bytes", list(term("x-demo.act.graffiti", `,"scope":"`+strings.Repeat("a", MaxExtensionSize)+`"`)), ErrExtensionTooLarge},
		{"scheme a hub cannot extend", list(term("x-demo.country.padania")), ErrExtensionFormat},
		{"time under the prefix", list(term("x-demo.time.2026")), ErrExtensionFormat},
		{"unknown scheme", list(term("x-demo.weather.rain")), ErrExtensionFormat},
		{"upper case", list(term("x-demo.act.Graffiti")), ErrExtensionFormat},
		{"too deep", list(term("x-demo.act.a.b.c.d")), ErrExtensionFormat},
		{"empty segment", list(term("x-demo.act..graffiti")), ErrExtensionFormat},
		{"code too long", list(term("x-demo.act." + strings.Repeat("a", 30) + "." + strings.Repeat("b", 30) + "." + strings.Repeat("c", 30) + "." + strings.Repeat("d", 30))), ErrExtensionFormat},
		{"missing parent", list(term("x-demo.act.graffiti.home")), ErrExtensionFormat},
		{"region without a country", list(term("x-demo.region.ljubljana")), ErrExtensionFormat},
		{"region in another country than its parent", list(term("x-demo.region.a", `,"country":"country.SI"`), term("x-demo.region.a.b", `,"country":"country.AT"`)), ErrExtensionFormat},
		{"country on an act", list(term("x-demo.act.graffiti", `,"country":"country.SI"`)), ErrExtensionFormat},
		{"country not ISO", list(term("x-demo.region.a", `,"country":"country.UK"`)), ErrExtensionFormat},
		{"NUTS region in the wrong country", list(term("region.SI04", `,"country":"country.AT"`)), ErrExtensionFormat},
		{"no English label", list(`{"code":"x-demo.act.graffiti","labels":{"sl":"Grafiti"}}`), ErrExtensionFormat},
		{"a language the vocabulary does not speak", list(`{"code":"x-demo.act.graffiti","labels":{"en":"Graffiti","de":"Graffiti"}}`), ErrExtensionFormat},
		{"label with a bidi override", list(`{"code":"x-demo.act.graffiti","labels":{"en":"Graffiti \u202e"}}`), ErrExtensionFormat},
		{"label with a newline", list(`{"code":"x-demo.act.graffiti","labels":{"en":"Graf\nfiti"}}`), ErrExtensionFormat},
		{"label padded", list(`{"code":"x-demo.act.graffiti","labels":{"en":" Graffiti"}}`), ErrExtensionFormat},
		{"label too long", list(`{"code":"x-demo.act.graffiti","labels":{"en":"` + strings.Repeat("g", maxLabelRunes+1) + `"}}`), ErrExtensionFormat},
		{"label not UTF-8", list(`{"code":"x-demo.act.graffiti","labels":{"en":"Graffiti ` + "\xff" + `"}}`), ErrExtensionFormat},
		{"duplicate JSON key", list(`{"code":"x-demo.act.graffiti","labels":{"en":"Graffiti","en":"Threats"}}`), ErrExtensionFormat},
		{"duplicate top-level key", `{"version":1,"hub":"demo","hub":"other","terms":[]}`, ErrExtensionFormat},
		{"unknown field", list(term("x-demo.act.graffiti", `,"parent":"act.threat"`)), ErrExtensionFormat},
		{"data after the list", list() + ` {}`, ErrExtensionFormat},
		{"another hub's list", `{"version":1,"hub":"other","terms":[]}`, ErrExtensionFormat},
		{"version 2", `{"version":2,"hub":"demo","terms":[]}`, ErrExtensionFormat},
		{"no version", `{"hub":"demo","terms":[]}`, ErrExtensionFormat},
		{"not JSON", `version: 1`, ErrExtensionFormat},
		{"empty", ``, ErrExtensionFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := ParseExtensions([]byte(tt.data), "demo")
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseExtensions = %v, want %v", err, tt.want)
			}
			if e != nil {
				t.Error("a refused list returned extensions")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "vocab: ") || msg != strings.ToLower(msg[:1])+msg[1:] || len(msg) > 400 {
				t.Errorf("error %q: want a short lowercase message starting with vocab:", msg)
			}
		})
	}
	if _, err := ParseExtensions([]byte(list()), "Demo"); !errors.Is(err, ErrExtensionFormat) {
		t.Errorf("a hub ID that is not one: %v", err)
	}
}

// FuzzParseExtensions holds every list ParseExtensions accepts to its
// rules, whatever the input: no panic, hub codes under the prefix, no
// shared code redefined or shadowed, every parent a term.
func FuzzParseExtensions(f *testing.F) {
	f.Add([]byte(demoList), "demo")
	f.Add([]byte(`{"version":1,"hub":"demo","terms":[{"code":"act.threat","labels":{"en":"x"}}]}`), "demo")
	f.Add([]byte(`{"version":1,"hub":"h","terms":[{"code":"x-h.region.a","country":"country.XK","labels":{"en":"A"}},{"code":"x-h.region.a.b","labels":{"en":"B"}}]}`), "h")
	f.Add([]byte(`{"version":1,"hub":"demo","terms":[{"code":"x-demo.act.a","labels":{"en":"a","en":"b"}}]}`), "demo")
	f.Add([]byte(`[{"{":[]}]`), "demo")
	f.Fuzz(func(t *testing.T, data []byte, hubID string) {
		e, err := ParseExtensions(data, hubID)
		if err != nil {
			if e != nil {
				t.Fatal("error with extensions")
			}
			return
		}
		for _, code := range e.Codes() {
			term, ok := e.Lookup(code)
			if !ok || !strings.HasPrefix(code, "x-"+hubID+".") || term.Hub != hubID {
				t.Fatalf("accepted %q for hub %q", code, hubID)
			}
			if _, shared := Lookup(code); shared {
				t.Fatalf("accepted a shared code %q", code)
			}
			if _, shadowed := Lookup(strings.TrimPrefix(code, "x-"+hubID+".")); shadowed {
				t.Fatalf("accepted %q, which shadows a shared code", code)
			}
			if term.Parent != "" && !e.Valid(term.Parent) {
				t.Fatalf("%q has parent %q, not a term", code, term.Parent)
			}
			if term.Scheme == SchemeRegion && !e.Valid(term.Country) {
				t.Fatalf("region %q lies in %q, not a country", code, term.Country)
			}
			if Scheme(code) != term.Scheme {
				t.Fatalf("%q: Scheme %q, term's scheme %q", code, Scheme(code), term.Scheme)
			}
		}
	})
}
