package ageformat

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"
)

// MaxHeaderSize is the largest binary age header [NewReader] accepts, in
// bytes, up to and including the MAC line. age itself allows 2 MiB; a hub
// file addressed to a handful of recipients needs a few KiB (an
// mlkem768x25519 stanza is about 1.6 KiB), so 64 KiB leaves room for dozens
// of recipients while bounding what an anonymous upload can make the server
// hold in memory.
const MaxHeaderSize = 64 << 10

// parseSlack is how far past the end of the header age's parser may read:
// the buffer size of the bufio.Reader inside age's internal/format.Parse.
// Each of its reads fills at most that buffer, so a capture limited to
// MaxHeaderSize+parseSlack never cuts short a header of MaxHeaderSize.
const parseSlack = 4096

// Header is the checked header of an age file.
type Header struct {
	// Stanzas are the recipient stanzas, in file order, as age parsed them.
	Stanzas []Stanza
	// Armored is true if the upload was ASCII-armored.
	Armored bool
	// Size is the length in bytes of the binary header, up to and
	// including the MAC line; the payload starts at this offset of the
	// binary file.
	Size int
}

// errHeaderTooLarge is returned by captureReader to stop age's parser.
var errHeaderTooLarge = errors.New("header exceeds the size limit")

// captureReader records every byte read through it, up to limit, so that
// bytes age's parser buffered past the header are not lost.
type captureReader struct {
	r     io.Reader
	buf   []byte
	limit int
	err   error // first error from r other than io.EOF
}

func (c *captureReader) Read(p []byte) (int, error) {
	room := c.limit - len(c.buf)
	if room <= 0 {
		return 0, errHeaderTooLarge
	}
	if len(p) > room {
		p = p[:room]
	}
	n, err := c.r.Read(p)
	c.buf = append(c.buf, p[:n]...)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// errRecorded is returned by recorder.Unwrap to stop age.DecryptHeader once
// the stanzas are in hand; it never leaves this package.
var errRecorded = errors.New("ageformat: stanzas recorded")

// recorder is an [age.Identity] that unwraps nothing: it keeps the stanzas
// age parsed and aborts decryption with errRecorded.
type recorder struct{ stanzas []*age.Stanza }

func (r *recorder) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	r.stanzas = stanzas
	return nil, errRecorded
}

// readHeader reads the header of the binary age file in src with age's own
// parser. It returns the parsed header and every byte consumed from src,
// which starts with exactly the header's Size bytes.
func readHeader(src io.Reader) (*Header, []byte, error) {
	c := &captureReader{r: src, limit: MaxHeaderSize + parseSlack}
	hdr, err := age.ExtractHeader(c)
	if err != nil {
		return nil, nil, classifyReadError(c, err)
	}
	if len(hdr) > MaxHeaderSize {
		return nil, nil, fmt.Errorf("%w: header is %d bytes, limit is %d", ErrBadHeader, len(hdr), MaxHeaderSize)
	}
	// ExtractHeader re-marshals what it parsed. Requiring the input to begin
	// with exactly those bytes rules out any encoding the parser tolerates
	// but would not produce, and pins the payload to offset len(hdr).
	if !bytes.HasPrefix(c.buf, hdr) {
		return nil, nil, fmt.Errorf("%w: header is not canonically encoded", ErrBadHeader)
	}
	rec := &recorder{}
	if _, err := age.DecryptHeader(hdr, rec); !errors.Is(err, errRecorded) {
		// Unreachable unless age's parser is not deterministic.
		return nil, nil, fmt.Errorf("%w: re-parsing header: %v", ErrBadHeader, err)
	}
	h := &Header{Size: len(hdr), Stanzas: make([]Stanza, 0, len(rec.stanzas))}
	for i, s := range rec.stanzas {
		st := Stanza{Type: s.Type, Args: s.Args, Body: s.Body}
		if err := checkStanza(&st); err != nil {
			return nil, nil, fmt.Errorf("stanza #%d: %w", i, err)
		}
		h.Stanzas = append(h.Stanzas, st)
	}
	if len(h.Stanzas) == 0 {
		// age's parser already refuses this; keep the promise locally.
		return nil, nil, fmt.Errorf("%w: no recipient stanzas", ErrBadHeader)
	}
	return h, c.buf, nil
}

// classifyReadError turns a failure of age's parser into an error wrapping
// the right sentinel, or into a plain I/O error if the source failed.
func classifyReadError(c *captureReader, err error) error {
	switch {
	case errors.Is(err, errHeaderTooLarge), len(c.buf) >= c.limit:
		return fmt.Errorf("%w: header exceeds %d bytes", ErrBadHeader, MaxHeaderSize)
	case c.err != nil:
		return wrapSourceError(c.err)
	default:
		return fmt.Errorf("%w: %v", ErrBadHeader, err)
	}
}
