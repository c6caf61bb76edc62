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

// denylistFile lists the words of the list that [Generate] never draws:
// words about illness, disability, death, violence, prison, sex, and slurs,
// which hurt or endanger the person who must write their codename down. It
// is a data file with its reasons in comments; see docs/codename.md.
//
//go:embed denylist.txt
var denylistFile string

// ListSize is the number of words in the list codenames are spelled with:
// every one of them reads ([Parse]), so that no codename ever handed out
// stops working; [Generate] draws only from the [GenerableSize] that the
// denylist leaves.
const ListSize = 7776

// GenerableSize is the number of words [Generate] draws from: the list
// without the words of denylist.txt.
var GenerableSize = len(generable)

// words holds the list in dice order; a word's index is its position here.
// index maps each word back to its index. Both are built once, at package
// initialisation, and never written again.
// generable holds the indices, in order, of the words Generate draws.
var (
	words     = parseWordlist(wordlistFile)
	index     = indexWords(words)
	denied    = parseDenylist(denylistFile)
	generable = generableWords(words, denied)
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

// parseDenylist reads the embedded denylist: one word a line, "#"
// comments and blank lines skipped. Like the list, it is part of the
// binary; the tests check that every word is in the list, once.
func parseDenylist(f string) map[string]bool {
	m := map[string]bool{}
	for l := range strings.Lines(f) {
		if w, _, _ := strings.Cut(l, "#"); strings.TrimSpace(w) != "" {
			m[strings.TrimSpace(w)] = true
		}
	}
	return m
}

func generableWords(ws []string, denied map[string]bool) []uint16 {
	out := make([]uint16, 0, len(ws))
	for i, w := range ws {
		if !denied[w] {
			out = append(out, uint16(i))
		}
	}
	return out
}

// EntropyBits returns the entropy of a codename made by [Generate], in bits:
// [Words] times log2([GenerableSize]), about 90.1.
func EntropyBits() float64 {
	return Words * math.Log2(float64(len(generable)))
}
