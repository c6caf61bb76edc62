package ageformat

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"filippo.io/age/armor"
)

// maxArmorWhitespace is how much leading whitespace age's CLI and
// filippo.io/age/armor tolerate before the armor header line.
const maxArmorWhitespace = 1024

// Reader checks an age file while streaming it. See [NewReader].
type Reader struct {
	hdr     *Header
	src     io.Reader // binary age file after the captured bytes
	pending []byte    // captured bytes not yet yielded: the header, then payload
	n       int64     // binary bytes yielded
	err     error     // sticky error, io.EOF once the file checked out
}

// NewReader reads and checks the header of the age file in r, which may be
// binary or ASCII-armored. Armor is detected as age detects it: after at most
// 1 KiB of leading whitespace, the input starts with the armor header line.
//
// The returned Reader yields the binary age file, header then payload,
// de-armored if needed, byte for byte what age.Decrypt would read. It checks
// the payload's framing as bytes pass: when the input ends, Read returns
// io.EOF only if the payload size is possible for an age file, and an error
// wrapping [ErrBadPayload] (or [ErrBadArmor]) otherwise. Callers must
// therefore read to io.EOF before trusting the file.
//
// NewReader returns an error wrapping [ErrBadHeader] or [ErrBadArmor] if the
// header is refused. It reads at most [MaxHeaderSize] plus a few KiB before
// deciding. NewReader checks structure only; use [CheckRecipients] to
// enforce the hub's recipients.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, maxArmorWhitespace+len(armor.Header))
	start, _ := br.Peek(maxArmorWhitespace + len(armor.Header))
	armored := bytes.HasPrefix(bytes.TrimSpace(start), []byte(armor.Header))
	var src io.Reader = br
	if armored {
		src = armor.NewReader(br)
	}
	h, captured, err := readHeader(src)
	if err != nil {
		return nil, err
	}
	h.Armored = armored
	return &Reader{hdr: h, src: src, pending: captured}, nil
}

// Header returns the checked header. The caller must not modify it.
func (r *Reader) Header() *Header { return r.hdr }

// Size returns the number of bytes of the binary age file yielded so far.
func (r *Reader) Size() int64 { return r.n }

// Read implements [io.Reader], yielding the binary age file.
func (r *Reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if len(r.pending) > 0 {
		n := copy(p, r.pending)
		r.pending = r.pending[n:]
		r.n += int64(n)
		return n, nil
	}
	n, err := r.src.Read(p)
	r.n += int64(n)
	switch {
	case err == io.EOF:
		err = checkPayloadSize(r.n - int64(r.hdr.Size))
		if err == nil {
			err = io.EOF
		}
		r.err = err
	case err != nil:
		r.err = wrapSourceError(err)
	}
	return n, r.err
}

// wrapSourceError classifies an error from the (possibly de-armoring)
// source: armor errors are the upload's fault, anything else is I/O.
func wrapSourceError(err error) error {
	if e := new(armor.Error); errors.As(err, &e) {
		return fmt.Errorf("%w: %w", ErrBadArmor, err)
	}
	return fmt.Errorf("ageformat: reading age file: %w", err)
}
