package cap

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Stable error codes, also used on the wire by the bulletin API.
const (
	CodeTooLarge   = "bulletin_too_large"       // over MaxSize
	CodeMalformed  = "bulletin_malformed"       // not well-formed XML
	CodeAmbiguous  = "bulletin_ambiguous_xml"   // does not survive an encoding/xml round trip
	CodeForbidden  = "bulletin_forbidden_xml"   // DOCTYPE, entity, processing instruction
	CodeNamespace  = "bulletin_namespace"       // root is not a CAP 1.2 alert
	CodeMissing    = "bulletin_missing_element" // a required element is absent
	CodeUnexpected = "bulletin_unexpected"      // an element out of order, repeated or unsupported
	CodeBadValue   = "bulletin_bad_value"       // a value outside CAP's enumeration or form
	CodeBadTime    = "bulletin_bad_datetime"    // a date-time not in CAP's form
)

// Error is a refusal by [Check]: Code is stable, Detail says where and why
// (never more than a short excerpt of the input).
type Error struct {
	Code   string
	Detail string
}

func (e *Error) Error() string { return fmt.Sprintf("cap: %s: %s", e.Code, e.Detail) }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...)}
}

// maxExcerpt is how many bytes of input an error repeats at most, so that
// an error message never carries a bulletin's content into logs.
const maxExcerpt = 32

// excerpt returns s quoted, cut to maxExcerpt bytes at a rune boundary.
func excerpt(s string) string {
	if len(s) <= maxExcerpt {
		return strconv.Quote(s)
	}
	cut := maxExcerpt
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}
