package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

func malformed(format, what string) error {
	return fmt.Errorf("%w: %s: %s", ErrMalformed, format, what)
}

// walkPNG follows the chunks from the signature to IEND.
func walkPNG(b []byte) (structure, error) {
	var st structure
	off := 8
	for {
		if len(b)-off < 12 {
			return st, malformed("png", "truncated chunk")
		}
		n := int64(binary.BigEndian.Uint32(b[off:]))
		if n > int64(len(b)-off-12) {
			return st, malformed("png", "chunk longer than the file")
		}
		typ := string(b[off+4 : off+8])
		data := b[off+8 : off+8+int(n)]
		off += 12 + int(n)
		switch typ {
		case "eXIf":
			st.exif = append(st.exif, data)
		case "IEND":
			st.end = off
			return st, nil
		}
	}
}

// walkJPEG follows the marker segments and entropy-coded scans from SOI to
// EOI, collecting APP1 EXIF blocks.
func walkJPEG(b []byte) (structure, error) {
	var st structure
	off := 2 // after SOI
	for {
		if off >= len(b) || b[off] != 0xff {
			return st, malformed("jpeg", "expected a marker")
		}
		for off < len(b) && b[off] == 0xff {
			off++ // fill bytes
		}
		if off >= len(b) {
			return st, malformed("jpeg", "truncated marker")
		}
		m := b[off]
		off++
		switch {
		case m == 0xd9: // EOI
			st.end = off
			return st, nil
		case m == 0x01 || 0xd0 <= m && m <= 0xd7: // TEM, RSTn: no length
			continue
		case m == 0x00 || m == 0xd8:
			return st, malformed("jpeg", "unexpected marker")
		}
		if len(b)-off < 2 {
			return st, malformed("jpeg", "truncated segment")
		}
		n := int(binary.BigEndian.Uint16(b[off:]))
		if n < 2 || n > len(b)-off {
			return st, malformed("jpeg", "segment longer than the file")
		}
		seg := b[off+2 : off+n]
		off += n
		if m == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			st.exif = append(st.exif, seg[6:])
		}
		if m != 0xda { // not SOS
			continue
		}
		// Entropy-coded data runs to the next marker that is neither a
		// stuffed zero nor a restart.
		for {
			i := bytes.IndexByte(b[off:], 0xff)
			if i < 0 || off+i+1 >= len(b) {
				return st, malformed("jpeg", "unterminated scan")
			}
			off += i
			next := b[off+1]
			if next == 0x00 || 0xd0 <= next && next <= 0xd7 {
				off += 2
				continue
			}
			if next == 0xff {
				off++
				continue
			}
			break
		}
	}
}

// walkGIF follows the blocks from the header to the trailer.
func walkGIF(b []byte) (structure, error) {
	var st structure
	if len(b) < 13 {
		return st, malformed("gif", "truncated header")
	}
	off := 13
	if flags := b[10]; flags&0x80 != 0 {
		off += 3 << (flags&7 + 1)
	}
	subBlocks := func() error {
		for {
			if off >= len(b) {
				return malformed("gif", "truncated data")
			}
			n := int(b[off])
			off++
			if n == 0 {
				return nil
			}
			off += n
		}
	}
	for {
		if off >= len(b) {
			return st, malformed("gif", "no trailer")
		}
		switch b[off] {
		case 0x3b: // trailer
			st.end = off + 1
			return st, nil
		case 0x21: // extension: introducer, label, sub-blocks
			off += 2
			if err := subBlocks(); err != nil {
				return st, err
			}
		case 0x2c: // image descriptor, local table, LZW code size, data
			if len(b)-off < 11 {
				return st, malformed("gif", "truncated image descriptor")
			}
			flags := b[off+9]
			off += 10
			if flags&0x80 != 0 {
				off += 3 << (flags&7 + 1)
			}
			off++
			if err := subBlocks(); err != nil {
				return st, err
			}
		default:
			return st, malformed("gif", "unknown block")
		}
	}
}
