package cap

import (
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// The value checkers below take an element's path and node and return its
// text, exactly as the document holds it: nothing is trimmed or
// normalised, because a bulletin is served byte for byte as signed and
// every reader must see the same value.

// leaf returns n's text, refusing child elements.
func leaf(path string, n *node) (string, error) {
	if len(n.children) > 0 {
		return "", errorf(CodeUnexpected, "%s: holds text, not elements", path)
	}
	return string(n.text), nil
}

// text returns n's free text: not empty or only white space, and without
// control characters other than tab, line feed and carriage return (XML
// already excludes most C0 controls; this also refuses DEL and C1).
func text(path string, n *node) (string, error) {
	s, err := leaf(path, n)
	if err != nil {
		return "", err
	}
	if isSpace([]byte(s)) {
		return "", errorf(CodeBadValue, "%s: empty (leave the element out instead)", path)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return "", errorf(CodeBadValue, "%s: control character %U", path, r)
		}
	}
	return s, nil
}

// enum returns n's text if it is exactly one of CAP's values for it.
func enum(path string, n *node) (string, error) {
	s, err := leaf(path, n)
	if err != nil {
		return "", err
	}
	allowed := enumerations[n.name.Local]
	if !slices.Contains(allowed, s) {
		return "", errorf(CodeBadValue, "%s: %s is not one of %s", path, excerpt(s), strings.Join(allowed, ", "))
	}
	return s, nil
}

// identifier returns n's text if it is a valid identifier or sender.
func identifier(path string, n *node) (string, error) {
	s, err := leaf(path, n)
	if err != nil {
		return "", err
	}
	if reason := badIdentifier(s); reason != "" {
		return "", errorf(CodeBadValue, "%s: %s", path, reason)
	}
	return s, nil
}

// badIdentifier says what is wrong with s as an identifier or sender, or
// returns "". CAP forbids spaces, commas and the restricted characters <
// and &; difesa also refuses anything unprintable (other white space,
// controls, invisible format characters such as bidirectional overrides),
// because an identifier is compared and shown, never read as prose.
func badIdentifier(s string) string {
	if s == "" {
		return "empty"
	}
	for _, r := range s {
		if r == ' ' || r == ',' || r == '<' || r == '&' || !unicode.IsPrint(r) {
			return excerpt(s) + " contains a space, comma, '<', '&' or unprintable character"
		}
	}
	return ""
}

// dateTime returns n's text if it is a CAP date-time (see [ParseTime]).
func dateTime(path string, n *node) (string, error) {
	s, err := leaf(path, n)
	if err != nil {
		return "", err
	}
	if _, reason := parseTime(s); reason != "" {
		return "", errorf(CodeBadTime, "%s: %s: %s", path, excerpt(s), reason)
	}
	return s, nil
}

// language returns n's text if it is an xs:language tag (RFC 3066 form):
// 1 to 8 letters, then any number of "-" and 1 to 8 letters or digits.
func language(path string, n *node) (string, error) {
	s, err := leaf(path, n)
	if err != nil {
		return "", err
	}
	for i, part := range strings.Split(s, "-") {
		ok := len(part) >= 1 && len(part) <= 8
		for _, c := range []byte(part) {
			ok = ok && (isLetter(c) || i > 0 && isDigit(c))
		}
		if !ok {
			return "", errorf(CodeBadValue, "%s: %s is not a language tag like \"en-US\"", path, excerpt(s))
		}
	}
	return s, nil
}

// web returns n's text if it is an absolute http or https URL (onion
// services included) as [webURL] defines it: a strict subset of
// xs:anyURI.
func web(path string, n *node) (string, error) {
	s, err := leaf(path, n)
	if err != nil {
		return "", err
	}
	if e := badWeb(s); e != nil {
		return "", &Error{Code: e.Code, Detail: path + ": " + e.Detail}
	}
	return s, nil
}

// maxDecimalDigits bounds the digits of an xs:decimal value (altitude,
// ceiling), leading and trailing zeros included. XML Schema only promises
// 18 (a minimally conforming processor supports totalDigits of 18), and
// libxml2 refuses more than 24 significant digits, so a longer value is
// schema-valid for some readers and not for others.
const maxDecimalDigits = 18

// decimal returns n's text if it is a decimal number: an optional "-",
// digits, and optionally "." and more digits, at most [maxDecimalDigits]
// digits in all (a subset of xs:decimal), with its exact value.
func decimal(path string, n *node) (string, *big.Rat, error) {
	s, err := leaf(path, n)
	if err != nil {
		return "", nil, err
	}
	if _, ok := parseDecimal(s, true); !ok {
		return "", nil, errorf(CodeBadValue, "%s: %s is not a decimal number like -12.5", path, excerpt(s))
	}
	if d := strings.Count(s, "") - 1 - strings.Count(s, "-") - strings.Count(s, "."); d > maxDecimalDigits {
		return "", nil, errorf(CodeBadValue, "%s: %s has %d digits, more than the %d every XML Schema processor reads", path, excerpt(s), d, maxDecimalDigits)
	}
	v, ok := new(big.Rat).SetString(s)
	if !ok {
		return "", nil, errorf(CodeBadValue, "%s: %s is not a decimal number like -12.5", path, excerpt(s))
	}
	return s, v, nil
}

// parseDecimal parses [-]digits[.digits] (the sign only if signed).
func parseDecimal(s string, signed bool) (float64, bool) {
	digits := s
	if signed {
		digits = strings.TrimPrefix(s, "-")
	}
	whole, frac, dot := strings.Cut(digits, ".")
	if whole == "" || !allDigits(whole) || dot && (frac == "" || !allDigits(frac)) {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

func allDigits(s string) bool {
	for _, c := range []byte(s) {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
