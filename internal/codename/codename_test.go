package codename

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"testing"
	"testing/iotest"
)

func TestWordlist(t *testing.T) {
	t.Parallel()
	// The embedded file is EFF's, unmodified (eff_large_wordlist.LICENSE).
	sum := sha256.Sum256([]byte(wordlistFile))
	if got := hex.EncodeToString(sum[:]); got != "addd35536511597a02fa0a9ff1e5284677b8883b83e986e43f15a3db996b903e" {
		t.Errorf("wordlist SHA-256 = %s, want EFF's file", got)
	}
	if len(words) != ListSize || len(index) != ListSize {
		t.Fatalf("wordlist has %d words (%d distinct), want %d", len(words), len(index), ListSize)
	}
	for i, w := range words {
		if w == "" || strings.Trim(w, "abcdefghijklmnopqrstuvwxyz-") != "" || strings.HasPrefix(w, "-") || strings.HasSuffix(w, "-") {
			t.Errorf("word %d %q is not lowercase ASCII letters and inner hyphens", i, w)
		}
		if i > 0 && words[i-1] >= w {
			t.Errorf("word %d %q is not after %q", i, w, words[i-1])
		}
	}
	// joinHyphenated relies on the first half of every hyphenated word not
	// being a word itself.
	var hyphenated []string
	for _, w := range words {
		if first, _, ok := strings.Cut(w, "-"); ok {
			hyphenated = append(hyphenated, w)
			if isWord(first) {
				t.Errorf("%q: its first half is a word, so joining is ambiguous", w)
			}
		}
	}
	if got := strings.Join(hyphenated, " "); got != "drop-down felt-tip t-shirt yo-yo" {
		t.Errorf("hyphenated words = %s", got)
	}
}

func TestEntropy(t *testing.T) {
	t.Parallel()
	if got, want := EntropyBits(), Words*math.Log2(float64(GenerableSize)); got != want {
		t.Errorf("EntropyBits() = %v, want %v", got, want)
	}
	// docs/codename.md: at least 88 bits, the level codenames were made
	// for; the denylist may not take more words than that leaves.
	if EntropyBits() < 88 {
		t.Errorf("EntropyBits() = %.2f, want at least 88", EntropyBits())
	}
	if GenerableSize != 7501 || math.Abs(EntropyBits()-90.11) > 0.01 {
		t.Errorf("%d words, EntropyBits() = %.2f; want 7501 and 90.11 as docs/codename.md says", GenerableSize, EntropyBits())
	}
}

func TestParseNormalises(t *testing.T) {
	t.Parallel()
	const want = "erupt-material-poncho-july-daycare-operator-revisit"
	tests := []struct{ name, in, want string }{
		{"normalised", want, want},
		{"spaces", "erupt material poncho july daycare operator revisit", want},
		{"upper case", "ERUPT Material pOnChO JULY DAYCARE OPERATOR REVISIT", want},
		{"runs of separators", " \t erupt -- material..poncho , july;daycare:operator / revisit \n", want},
		{"one per line, CRLF", "erupt\r\nmaterial\r\nponcho\r\njuly\r\ndaycare\r\noperator\r\nrevisit\r\n", want},
		{"en and em dashes, minus", "erupt–material—poncho−july‐daycare‑operator―revisit", want},
		{"precomposed accents", "érupt matérial pônchö júly dáycâre öpérãtor révïsit", want},
		{"combining accents", "e\u0301rupt mate\u0301rial poncho july daycare operator revisit", want},
		{"upper case accents", "ÉRUPT MATÉRIAL PONCHO JULY DAYCARE OPERATOR REVISIT", want},
		{"dotless and dotted i", "erupt material poncho july daycare operator rev\u0131s\u0130t", want},
		{"fullwidth", "ｅｒｕｐｔ　ＭＡＴＥＲＩＡＬ poncho july daycare operator revisit", want},
		{"invisible characters", "\ufefferu\u200bpt mate\u00adrial pon\u200dcho july daycare operator revisit\u2060", want},
		{"quoted", "“erupt material poncho july daycare operator revisit”", want},
		{"no-break and thin spaces", "erupt\u00a0material\u2009poncho\u202fjuly\u3000daycare\u2003operator\u0085revisit", want},
		{"bullets and middle dots", "erupt · material • poncho ・ july daycare operator revisit", want},
		{"hyphenated words split by spaces", "t shirt yo yo drop down felt tip abacus zoom zoology", "t-shirt-yo-yo-drop-down-felt-tip-abacus-zoom-zoology"},
		{"yoyo and yo-yo are two words", "yoyo yo-yo yoyo yo_yo abacus zoom zoology", "yoyo-yo-yo-yoyo-yo-yo-abacus-zoom-zoology"},
		{"a second half that is a word on its own", "down shirt drop-down t-shirt abacus zoom zoology", "down-shirt-drop-down-t-shirt-abacus-zoom-zoology"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := c.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			// The normalised form is a fixed point.
			again, err := Parse(c.String())
			if err != nil || again != c {
				t.Errorf("Parse(String()) = %v, %v; want the same codename", again, err)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     error
		position int
	}{
		{"empty", "", ErrWordCount, 0},
		{"separators only", " -.\n", ErrWordCount, 0},
		{"six words", "erupt material poncho july daycare operator", ErrWordCount, 0},
		{"eight words", "erupt material poncho july daycare operator revisit alibi", ErrWordCount, 0},
		{"typo", "erupt material ponco july daycare operator revisit", ErrUnknownWord, 3},
		{"first word", "zzz material poncho july daycare operator revisit", ErrUnknownWord, 1},
		{"last word", "erupt material poncho july daycare operator revisitt", ErrUnknownWord, 7},
		{"hyphen dropped from a hyphenated word", "tshirt material poncho july daycare operator revisit", ErrUnknownWord, 1},
		{"first half of a hyphenated word at the end", "erupt material poncho july daycare operator drop", ErrUnknownWord, 7},
		{"digit", "erupt 2 poncho july daycare operator revisit", ErrUnknownWord, 2},
		{"word glued to a digit", "erupt material2 poncho july daycare operator revisit", ErrUnknownWord, 2},
		{"Cyrillic homoglyph", "erupt m\u0430terial poncho july daycare operator revisit", ErrUnknownWord, 2},
		{"letter without an ASCII base", "erupt material poncho july daycare operator stra\u00dfe", ErrUnknownWord, 7},
		{"invalid UTF-8", "erupt material poncho \xffjuly daycare operator revisit", ErrUnknownWord, 4},
		{"unknown word before count", "erupt qqq", ErrUnknownWord, 2},
		{"too long", strings.Repeat(" ", MaxInputLen) + "erupt material poncho july daycare operator revisit", ErrTooLong, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse error = %v, want %v", err, tt.want)
			}
			if c != (Codename{}) {
				t.Errorf("Parse returned %v with an error, want the zero Codename", c.idx)
			}
			var we *WordError
			if errors.As(err, &we) != (tt.position != 0) || (we != nil && we.Position != tt.position) {
				t.Errorf("Parse error = %v, want position %d", err, tt.position)
			}
			if !parseErrorMessage.MatchString(err.Error()) {
				t.Errorf("error %q is not one of the documented messages", err)
			}
		})
	}
}

func TestWordErrorMessage(t *testing.T) {
	t.Parallel()
	_, err := Parse("erupt material poncho july daycare operatr revisit")
	if got, want := err.Error(), "codename: word 6 is not in the list"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	seen := map[Codename]bool{}
	for range 100 {
		c, err := Generate()
		if err != nil {
			t.Fatal(err)
		}
		if seen[c] {
			t.Fatal("Generate repeated a codename")
		}
		seen[c] = true
		again, err := Parse(c.String())
		if err != nil || again != c {
			t.Fatalf("Parse(%q) = %v, %v; want the same codename", c, again, err)
		}
		if len(c.Words()) != Words {
			t.Fatalf("Words() = %d words", len(c.Words()))
		}
	}
}

func TestGenerateRejectionSampling(t *testing.T) {
	t.Parallel()
	// 0xffff and 60008 (0xea68) are above the limit (8 × 7501) and must be
	// redrawn; 60007 is the last accepted value (60007 % 7501 = 7499, the
	// last generable word, "zoom"). Draws are indices into the generable
	// words, which skip the denylist: 0 is "abacus", 3 "abide".
	in := []byte{
		0xff, 0xff, 0x00, 0x00, // redraw, then "abacus"
		0xea, 0x68, 0xea, 0x67, // redraw, then "zoom"
		0x1d, 0x4d, // 7501 % 7501 = 0, "abacus"
		0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x04,
	}
	c, err := generate(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.String(), "abacus-zoom-abacus-abdomen-abdominal-abide-abiding"; got != want {
		t.Errorf("generate = %q, want %q", got, want)
	}
	if _, err := generate(iotest.ErrReader(errors.New("no entropy"))); err == nil {
		t.Error("generate with a failing reader succeeded")
	}
}

// TestGenerateSkipsDenylist draws every generable index once: none is a
// denied word, and every word that is not denied comes up.
func TestGenerateSkipsDenylist(t *testing.T) {
	t.Parallel()
	var in []byte
	for v := range GenerableSize {
		in = append(in, byte(v>>8), byte(v))
	}
	for len(in)%(2*Words) != 0 {
		in = append(in, 0, 0)
	}
	seen := map[string]bool{}
	r := bytes.NewReader(in)
	for r.Len() > 0 {
		c, err := generate(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range c.Words() {
			if denied[w] {
				t.Fatalf("generated the denied word %q", w)
			}
			seen[w] = true
		}
	}
	if len(seen) != ListSize-len(denied) {
		t.Errorf("generated %d distinct words, want %d", len(seen), ListSize-len(denied))
	}
}

func TestZeroCodename(t *testing.T) {
	t.Parallel()
	var c Codename
	if c.String() != "" || c.Words() != nil {
		t.Errorf("zero Codename = %q, %v; want empty", c.String(), c.Words())
	}
	if _, err := Derive(c, "demo"); !errors.Is(err, ErrNoCodename) {
		t.Errorf("Derive(zero) error = %v, want ErrNoCodename", err)
	}
	if got := c.LogValue().String(); strings.Contains(got, "abacus") {
		t.Errorf("LogValue = %q", got)
	}
}
