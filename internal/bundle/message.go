package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// isTarHeader reports whether blk is a tar header block: its checksum
// field, in octal, matches the sum of its bytes (as archive/tar computes
// it, unsigned or signed). An all-zero block counts too: it is an empty
// archive, not a message. Text never passes this by accident.
func isTarHeader(blk *[blockSize]byte) bool {
	if allZero(blk[:]) {
		return true
	}
	field := bytes.Trim(blk[148:156], " \x00")
	if len(field) == 0 {
		return false
	}
	var want int64
	for _, c := range field {
		if c < '0' || c > '7' {
			return false
		}
		want = want*8 + int64(c-'0')
	}
	var unsigned, signed int64
	for i, c := range blk {
		if 148 <= i && i < 156 {
			c = ' '
		}
		unsigned += int64(c)
		signed += int64(int8(c))
	}
	return want == unsigned || want == signed
}

// readMessage returns a plaintext that is not a bundle as a message: head
// is what was read already, the rest comes from src. Past MaxMessageSize
// the text is cut at a rune boundary and a note appended; the remainder is
// still read (up to MaxTotalSize) so that src can authenticate its end.
func readMessage(head []byte, src io.Reader, lim Limits) (*Opened, error) {
	r := io.MultiReader(bytes.NewReader(head), src)
	msg, err := io.ReadAll(io.LimitReader(r, lim.MaxMessageSize+1))
	if err != nil {
		return nil, fmt.Errorf("bundle: reading plaintext: %w", err)
	}
	o := &Opened{}
	if int64(len(msg)) > lim.MaxMessageSize {
		msg = msg[:lim.MaxMessageSize]
		msg = trimPartialRune(msg)
		rest, err := io.Copy(io.Discard, io.LimitReader(r, lim.MaxTotalSize+1))
		if err != nil {
			return nil, fmt.Errorf("bundle: reading plaintext: %w", err)
		}
		if rest > lim.MaxTotalSize {
			return nil, fmt.Errorf("%w: plaintext message longer than %d bytes", ErrTooLarge, lim.MaxTotalSize)
		}
		o.Truncated = true
		o.Message = string(msg) + fmt.Sprintf("\n\n[message truncated: showing the first %d bytes]\n", len(msg))
		return o, nil
	}
	o.Message = string(msg)
	return o, nil
}

// trimPartialRune drops an incomplete UTF-8 sequence at the end of p, left
// there by cutting at a byte count. Invalid bytes elsewhere are kept.
func trimPartialRune(p []byte) []byte {
	for i := 1; i < utf8.UTFMax && i <= len(p); i++ {
		c := p[len(p)-i]
		if utf8.RuneStart(c) {
			if !utf8.FullRune(p[len(p)-i:]) {
				return p[:len(p)-i]
			}
			return p
		}
	}
	return p
}

// srcReader remembers the first error of the underlying reader, so that
// a failure of decryption is reported as such and not as a broken archive.
type srcReader struct {
	r   io.Reader
	err error
}

func (s *srcReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && s.err == nil {
		s.err = err
	}
	return n, err
}

func (s *srcReader) readErr() error {
	return fmt.Errorf("bundle: reading plaintext: %w", s.err)
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
