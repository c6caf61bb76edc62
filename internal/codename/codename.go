package codename

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Words is the number of words in a codename.
const Words = 7

// Errors of [Parse]. Every error Parse returns wraps exactly one of them;
// none repeats the input, which is a secret.
var (
	// ErrUnknownWord means a word is not in the list; the [*WordError] that
	// wraps it says which one.
	ErrUnknownWord = errors.New("codename: word not in the list")

	// ErrWordCount means the input does not hold exactly [Words] words.
	ErrWordCount = errors.New("codename: wrong number of words")

	// ErrTooLong means the input is longer than [MaxInputLen] bytes.
	ErrTooLong = errors.New("codename: input too long")
)

// WordError reports a word that is not in the list by its position, never
// by its spelling: the rest of the codename is a secret and the word itself
// is most of a guess at it.
type WordError struct {
	// Position is the word's position in the input, counting from 1, after
	// normalisation (so separators and case do not shift it).
	Position int
}

func (e *WordError) Error() string {
	return fmt.Sprintf("codename: word %d is not in the list", e.Position)
}

// Unwrap returns [ErrUnknownWord].
func (e *WordError) Unwrap() error { return ErrUnknownWord }

// Codename is a defender's codename: [Words] words of the EFF Large
// Wordlist. The zero value is not a codename; [Derive] refuses it.
//
// A Codename is a secret. [Codename.String] returns it in full, so never
// pass one to a logger or an error; a [log/slog] logger gets a redacted
// value.
type Codename struct {
	idx [Words]uint16
	set bool
}

// Generate returns a new codename of [Words] words drawn uniformly and
// independently with [crypto/rand] from the list less the denylist (see
// [GenerableSize]), about 90.1 bits of entropy (see [EntropyBits]).
func Generate() (Codename, error) {
	return generate(rand.Reader)
}

// generate draws each word with rejection sampling over 16-bit values, so
// every word is exactly as likely as any other.
func generate(r io.Reader) (Codename, error) {
	n := uint16(len(generable))
	limit := 65536 / uint32(n) * uint32(n) // 60,008 for 7,501 words
	var c Codename
	var b [2]byte
	for i := range c.idx {
		for {
			if _, err := io.ReadFull(r, b[:]); err != nil {
				return Codename{}, fmt.Errorf("codename: unable to read randomness: %w", err)
			}
			if v := binary.BigEndian.Uint16(b[:]); uint32(v) < limit {
				c.idx[i] = generable[v%n]
				break
			}
		}
	}
	c.set = true
	return c, nil
}

// Parse reads a codename as a person typed or pasted it. It ignores case,
// accents, and the kind and number of separators between words (spaces,
// hyphens, dots, line breaks, …); docs/codename.md lists the exact rules.
// It does not correct typing mistakes: a word not in the list is an error
// naming its position, and a mistake that spells another word of the list
// gives another codename.
//
// Errors wrap [ErrTooLong], [ErrUnknownWord] (as a [*WordError]) or
// [ErrWordCount], in that order of precedence.
func Parse(s string) (Codename, error) {
	if len(s) > MaxInputLen {
		return Codename{}, fmt.Errorf("%w: more than %d bytes", ErrTooLong, MaxInputLen)
	}
	tokens := joinHyphenated(tokenize(s))
	var c Codename
	for i, t := range tokens {
		v, ok := index[t]
		if !ok {
			return Codename{}, &WordError{Position: i + 1}
		}
		if i < Words {
			c.idx[i] = v
		}
	}
	if len(tokens) != Words {
		return Codename{}, fmt.Errorf("%w: got %d, want %d", ErrWordCount, len(tokens), Words)
	}
	c.set = true
	return c, nil
}

// String returns the normalised form of c: its words in lowercase ASCII,
// joined by single hyphens, such as
// "lunar-unsaved-t-shirt-cubbyhole-mushy-aloof-gully". [Parse] reads it back
// to the same codename, and it is the exact input of the key derivation.
// The zero Codename returns "".
func (c Codename) String() string {
	if !c.set {
		return ""
	}
	return strings.Join(c.Words(), "-")
}

// Words returns the words of c, in order, for showing them one by one. The
// zero Codename returns nil.
func (c Codename) Words() []string {
	if !c.set {
		return nil
	}
	ws := make([]string, Words)
	for i, v := range c.idx {
		ws[i] = words[v]
	}
	return ws
}

// LogValue implements [slog.LogValuer] so that a codename handed to a
// structured logger by mistake is not written out.
func (c Codename) LogValue() slog.Value {
	return slog.StringValue("[codename redacted]")
}
