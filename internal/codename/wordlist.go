package codename

import (
	_ "embed"
	"math"
	"strings"
)

// wordlistFile is the EFF Large Wordlist, byte for byte as EFF publishes it:
// one "DDDDD<TAB>word" line per word, dice index first, in dice order (which
// is also alphabetical order). See eff_large_wordlist.LICENSE for its
// licence and provenance.
//
//go:embed eff_large_wordlist.txt
var wordlistFile string

// ListSize is the number of words in the list codenames are spelled with.
const ListSize = 7776

// words holds the list in dice order; a word's index is its position here.
// index maps each word back to its index. Both are built once, at package
// initialisation, and never written again.
var (
	words = parseWordlist(wordlistFile)
	index = indexWords(words)
)

// parseWordlist reads the embedded list. The file is part of the binary, so
// a malformed one is a build mistake, caught by the tests (which check the
// count, the order and the alphabet), not an input error.
func parseWordlist(f string) []string {
	lines := strings.Split(strings.TrimSuffix(f, "\n"), "\n")
	ws := make([]string, 0, len(lines))
	for _, l := range lines {
		_, w, _ := strings.Cut(l, "\t")
		ws = append(ws, w)
	}
	return ws
}

func indexWords(ws []string) map[string]uint16 {
	m := make(map[string]uint16, len(ws))
	for i, w := range ws {
		m[w] = uint16(i)
	}
	return m
}

// EntropyBits returns the entropy of a codename made by [Generate], in bits:
// [Words] times log2([ListSize]), about 90.5.
func EntropyBits() float64 {
	return Words * math.Log2(float64(len(words)))
}
