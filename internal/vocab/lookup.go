package vocab

import "slices"

// Lookup returns the shared term of code: see [Extensions.Lookup].
func Lookup(code string) (Term, bool) { return (*Extensions)(nil).Lookup(code) }

// Label returns the label of a shared code in lang: see [Extensions.Label].
func Label(code, lang string) string { return (*Extensions)(nil).Label(code, lang) }

// Parent returns the code of the broader shared term: see
// [Extensions.Parent].
func Parent(code string) string { return (*Extensions)(nil).Parent(code) }

// Children returns the narrower shared terms: see [Extensions.Children].
func Children(code string) []string { return (*Extensions)(nil).Children(code) }

// Valid reports whether code is a term of the shared vocabulary or of the
// hub extensions ext (which may be nil): see [Extensions.Valid].
func Valid(code string, ext *Extensions) bool { return ext.Valid(code) }

// Lookup returns the term of code, shared or the hub's. Codes valid by
// rule (an ISO country with no name shipped, a NUTS region the hub did not
// label, a time) are terms too, labelled by their code. ok is false for a
// code that is not a term.
func (e *Extensions) Lookup(code string) (t Term, ok bool) {
	if p := shared.terms[code]; p != nil {
		return *p, true
	}
	if e != nil {
		if h := e.terms[code]; h != nil {
			return h.Term, true
		}
	}
	switch {
	case ruleCountry(code):
		return Term{Code: code, Scheme: SchemeCountry, Label: code[len("country."):], Country: code}, true
	case Scheme(code) == SchemeTime:
		return Term{Code: code, Scheme: SchemeTime, Label: code}, true
	}
	if country, ok := nutsRegion(code); ok {
		label := code[len("region."):]
		if e != nil && e.labels[code]["en"] != "" { // a NUTS region the hub named
			label = e.labels[code]["en"]
		}
		return Term{Code: code, Scheme: SchemeRegion, Label: label, Country: country}, true
	}
	return Term{}, false
}

// Valid reports whether code is a term: shared, valid by rule, or one of
// the hub's.
func (e *Extensions) Valid(code string) bool {
	_, ok := e.Lookup(code)
	return ok
}

// Label returns the label of code in lang (one of [Languages]), falling
// back to English, then to the code itself: a code that is not a term, or
// a term valid by rule with no name shipped, shows as its code.
func (e *Extensions) Label(code, lang string) string {
	if l := shared.labels[lang][code]; l != "" {
		return l
	}
	if e != nil {
		if h := e.terms[code]; h != nil {
			if l := h.labels[lang]; l != "" {
				return l
			}
			return h.Label
		}
		if l := e.labels[code][lang]; l != "" { // a NUTS region the hub named
			return l
		}
		if l := e.labels[code]["en"]; l != "" {
			return l
		}
	}
	if t, ok := e.Lookup(code); ok {
		return t.Label
	}
	return code
}

// Parent returns the code of the broader term of code ("act.threat" for
// "act.threat.online"), or "" for a term at the top of its scheme and for
// a code that is not a term. A country or a region has no parent: see
// [Extensions.Coarsen] to go from a region to its country.
func (e *Extensions) Parent(code string) string {
	t, _ := e.Lookup(code)
	return t.Parent
}

// Children returns the codes of the narrower terms of code, shared ones
// first, in the order a form offers them; for a scheme's name ("act"), the
// terms at the top of the scheme. It returns nil for a term without
// narrower ones and for a code that is not a term.
func (e *Extensions) Children(code string) []string {
	c := slices.Clone(shared.children[code])
	if e != nil {
		c = append(c, e.children[code]...)
	}
	return c
}
