package codename

import (
	"strings"
	"unicode/utf8"
)

// MaxInputLen is the longest input, in bytes of UTF-8, that [Parse] reads.
// A codename is at most 69 bytes in its normalised form; the rest is room
// for the spaces, quotes and line breaks of a pasted one.
const MaxInputLen = 512

// The normalisation rules below are the contract between the Go and the
// JavaScript implementations (web/src/codename.js holds the same tables):
// change one, change both, and the vectors in docs/vectors/codename.json.
// docs/codename.md states them in prose.

// separators lists every code point that ends a word. A run of them counts
// as one separator; leading and trailing ones are ignored.
const separators = "" +
	// White space: ASCII, NEL, no-break space and Unicode's other spaces.
	"\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005" +
	"\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000" +
	// Hyphens and dashes, the minus sign, dots, commas, underscores,
	// slashes, colons, semicolons, bullets and quotes.
	"-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d" +
	"._,;:/\u00b7\u2022\u30fb\u3001\u3002\uff0c\uff0e\uff3f\uff61" +
	"'\"`\u2018\u2019\u201c\u201d\u00ab\u00bb"

// isIgnorable reports whether r is dropped without ending a word: invisible
// characters that copy and paste bring along (soft hyphen, zero-width
// spaces and joiners, word joiner, byte order mark) and combining
// diacritical marks, so that a decomposed "é" (e + U+0301) reads as "e".
func isIgnorable(r rune) bool {
	switch {
	case r == '\u00ad', r >= '\u200b' && r <= '\u200d', r == '\u2060', r == '\ufeff':
		return true
	case r >= '\u0300' && r <= '\u036f':
		return true
	}
	return false
}

// latinFold maps U+00C0 to U+017F (Latin-1 Supplement and Latin Extended-A)
// to the lowercase ASCII letter a person would type instead: the base
// letter of the canonical decomposition (NFD), plus the letters with a
// stroke that have none (Đ, Ħ, ı, Ł, Ø, Ŧ). '_' marks code points that map
// to nothing and stay as they are (Æ, ß, ×, Þ, …), which makes their word
// unknown. web/test/codename.test.js recomputes the table from NFD.
const latinFold = "" +
	"aaaaaa_ceeeeiiii_nooooo_ouuuuy__aaaaaa_ceeeeiiii_nooooo_ouuuuy_y" +
	"aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii__jjkk_llllll_" +
	"_llnnnnnn___oooooo__rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzz_"

// fold returns the lowercase ASCII letter r stands for, or 0.
func fold(r rune) byte {
	switch {
	case r >= 'a' && r <= 'z':
		return byte(r)
	case r >= 'A' && r <= 'Z':
		return byte(r - 'A' + 'a')
	case r >= 0xff21 && r <= 0xff3a: // fullwidth A–Z
		return byte(r - 0xff21 + 'a')
	case r >= 0xff41 && r <= 0xff5a: // fullwidth a–z
		return byte(r - 0xff41 + 'a')
	case r >= 0xc0 && r <= 0x17f:
		if c := latinFold[r-0xc0]; c != '_' {
			return c
		}
	}
	return 0
}

// tokenize applies the character rules to s and splits it into tokens. A
// token holds lowercase ASCII letters, plus any code point the rules do not
// know, kept as is so that its word is reported unknown. Invalid UTF-8
// becomes U+FFFD, likewise.
func tokenize(s string) []string {
	var tokens []string
	var cur []byte
	for _, r := range s {
		switch {
		case strings.ContainsRune(separators, r):
			if len(cur) > 0 {
				tokens = append(tokens, string(cur))
				cur = cur[:0]
			}
		case isIgnorable(r):
		default:
			if c := fold(r); c != 0 {
				cur = append(cur, c)
			} else {
				cur = utf8.AppendRune(cur, r)
			}
		}
	}
	if len(cur) > 0 {
		tokens = append(tokens, string(cur))
	}
	return tokens
}

// joinHyphenated puts back together the four words of the list that hold a
// hyphen (drop-down, felt-tip, t-shirt, yo-yo), which tokenize split at
// their hyphen like any separator. A token that is not a word but forms one
// with the next token and a hyphen is joined to it. The list makes this
// unambiguous: none of the first halves (drop, felt, t, yo) is a word.
func joinHyphenated(tokens []string) []string {
	out := tokens[:0]
	for i := 0; i < len(tokens); i++ {
		t := tokens[i]
		if !isWord(t) && i+1 < len(tokens) {
			if j := t + "-" + tokens[i+1]; isWord(j) {
				t = j
				i++
			}
		}
		out = append(out, t)
	}
	return out
}

func isWord(w string) bool {
	_, ok := index[w]
	return ok
}
