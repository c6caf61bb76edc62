package vocab

import "strings"

// Limits on the form of a code.
const (
	maxCodeLen    = 128 // bytes, prefix included
	maxSegmentLen = 32  // bytes
	maxDepth      = 5   // segments after any hub prefix, scheme included
)

// Scheme returns the scheme of code by its form ("act" for
// "act.threat.online" and for "x-demo.act.graffiti", "time" for
// "2026-03"), or "" when code has the form of none. It does not say that
// code is a term: see [Valid].
func Scheme(code string) string {
	if _, _, _, ok := parseTime(code); ok {
		return SchemeTime
	}
	if _, path, ok := splitHub(code); ok {
		code = path
	}
	scheme, _, _ := strings.Cut(code, ".")
	for _, s := range Schemes {
		if s == scheme && s != SchemeTime {
			return s
		}
	}
	return ""
}

// splitHub splits "x-HUBID.path" into its hub ID and path.
func splitHub(code string) (hub, path string, ok bool) {
	rest, ok := strings.CutPrefix(code, "x-")
	if !ok {
		return "", "", false
	}
	hub, path, ok = strings.Cut(rest, ".")
	return hub, path, ok
}

// sharedShape reports whether code has the form of a listed shared term
// and returns its scheme.
func sharedShape(code string) (string, bool) {
	if len(code) > maxCodeLen {
		return "", false
	}
	if c, ok := strings.CutPrefix(code, "country."); ok {
		return SchemeCountry, isoCountry[c]
	}
	scheme, ok := pathShape(code, 4)
	switch scheme {
	case SchemeAct, SchemePerpetrator, SchemeRight, SchemeProfile:
		return scheme, ok
	}
	return "", false
}

// pathShape reports whether path is a scheme and one to maxSegs-1
// segments of lowercase letters, digits and underscores (starting with a
// letter), and returns the scheme.
func pathShape(path string, maxSegs int) (string, bool) {
	segs := strings.Split(path, ".")
	if len(segs) < 2 || len(segs) > maxSegs {
		return "", false
	}
	for _, s := range segs {
		if !validSegment(s) {
			return "", false
		}
	}
	return segs[0], true
}

func validSegment(s string) bool {
	if s == "" || len(s) > maxSegmentLen || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// ruleCountry returns the country code of "country.XX" for any officially
// assigned XX.
func ruleCountry(code string) bool {
	c, ok := strings.CutPrefix(code, "country.")
	return ok && isoCountry[c]
}

// nutsRegion returns the "country.XX" code that a "region.NUTS" code lies
// in, when its form is that of a NUTS 1, 2 or 3 code of a NUTS country:
// the country's two letters and one to three capital letters or digits.
func nutsRegion(code string) (country string, ok bool) {
	n, ok := strings.CutPrefix(code, "region.")
	if !ok || len(n) < 3 || len(n) > 5 {
		return "", false
	}
	for _, c := range []byte(n[2:]) {
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return "", false
		}
	}
	iso, ok := nutsCountry[n[:2]]
	if !ok {
		return "", false
	}
	return "country." + iso, true
}
