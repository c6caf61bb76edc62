package cap

import (
	"bytes"
	"fmt"
)

// maxCharRefDigits bounds the digits of one character reference, leading
// zeros included: XML allows any number, but no honest document needs
// more than a few, and the check stays linear without big numbers.
const maxCharRefDigits = 16

// checkCharRefs refuses a character reference in raw (the bytes of one
// text or start-tag token, before encoding/xml decodes them) that does
// not name an XML character (XML 1.0 §2.2 and §4.1, production Char):
// U+0000, a surrogate (U+D800 to U+DFFF), U+FFFE, U+FFFF, or anything
// beyond U+10FFFF. encoding/xml turns a surrogate reference into U+FFFD
// instead of refusing it, so the document every other XML parser refuses
// would otherwise read as one with a replacement character in it.
func checkCharRefs(doc, raw []byte, off int64) error {
	for {
		i := bytes.Index(raw, []byte("&#"))
		if i < 0 {
			return nil
		}
		ref := raw[i:]
		if end := bytes.IndexByte(ref, ';'); end >= 0 {
			ref = ref[:end+1]
		}
		if reason := badCharRef(ref); reason != "" {
			return errorf(CodeMalformed, "line %d: character reference %s %s", line(doc, off+int64(i)), excerpt(string(ref)), reason)
		}
		raw = raw[i+len(ref):]
		off += int64(i + len(ref))
	}
}

// badCharRef says what is wrong with ref, "&#…;" or "&#x…;", or returns "".
func badCharRef(ref []byte) string {
	digits, ok := bytes.CutSuffix(ref[2:], []byte(";"))
	if !ok {
		return "has no closing ';'"
	}
	base := 10
	if d, hex := bytes.CutPrefix(digits, []byte("x")); hex {
		base, digits = 16, d
	}
	if len(digits) == 0 || len(digits) > maxCharRefDigits {
		return fmt.Sprintf("must have 1 to %d digits", maxCharRefDigits)
	}
	var v uint64
	for _, c := range digits {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case base == 16 && 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case base == 16 && 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return "is not &#digits; or &#xhex-digits;"
		}
		v = v*uint64(base) + uint64(d) // at most 16 hex digits: no overflow
	}
	if !isXMLChar(v) {
		if v > 0x10FFFF {
			return "is beyond U+10FFFF, the last character"
		}
		return fmt.Sprintf("names %U, which is not an XML character", rune(v))
	}
	return ""
}

// isXMLChar reports whether v is an XML 1.0 Char: #x9 | #xA | #xD |
// [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
func isXMLChar(v uint64) bool {
	return v == 0x9 || v == 0xA || v == 0xD || 0x20 <= v && v <= 0xD7FF ||
		0xE000 <= v && v <= 0xFFFD || 0x10000 <= v && v <= 0x10FFFF
}
