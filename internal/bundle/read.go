package bundle

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// FileInfo describes an attachment found by [Read].
type FileInfo struct {
	Name string // the NAME of files/NAME, checked by Read but not sanitised for a file system
	Size int64
}

// Opened is what [Read] found in a plaintext.
//
// For a bundle, IsBundle is true, Envelope is set, Report is set when the
// bundle has a report.json, and Files lists the attachments in order.
//
// For a plaintext that is not a bundle (someone encrypted a text file with
// stock age), IsBundle is false and Message holds its first
// [Limits.MaxMessageSize] bytes, followed by a note when Truncated. Message
// is raw bytes from a stranger: it may be binary, invalid UTF-8 or hold
// terminal escapes, and must be cleaned before it is shown.
type Opened struct {
	Envelope *Envelope
	Report   *Report
	// Form is set, instead of Report, when the bundle was made with one of
	// the hub's own forms: its form.json and answers.json as found, not
	// checked beyond being JSON (see internal/form).
	Form      *FormAnswers
	Files     []FileInfo
	Message   string
	Truncated bool
	IsBundle  bool
}

// Sink receives each attachment as [Read] meets it: its checked name (the
// NAME of files/NAME), its size from the tar header, and a reader of
// exactly that many bytes. The sink decides where the content goes; it need
// not read it all. A nil Sink skips every attachment.
type Sink func(name string, size int64, r io.Reader) error

// Read parses a decrypted plaintext, treating it as hostile. See the
// package documentation and docs/bundle.md for every rule it enforces.
//
// Read consumes r to its end (bounded by lim), so that an authenticating
// reader such as age's sees, and reports, a truncated or corrupted stream;
// errors from r are returned wrapped, unchanged.
//
// On error the sink may already have received some attachments: extract
// into a fresh directory and remove it when Read fails.
func Read(r io.Reader, lim Limits, sink Sink) (*Opened, error) {
	lim = lim.withDefaults()
	src := &srcReader{r: r}
	var first [blockSize]byte
	n, err := io.ReadFull(src, first[:])
	if src.err != nil {
		return nil, src.readErr()
	}
	if err != nil || !isTarHeader(&first) {
		return readMessage(first[:n], src, lim)
	}
	br := &countReader{r: io.MultiReader(bytes.NewReader(first[:]), src)}
	o, err := readBundle(br, lim, sink)
	if src.err != nil {
		return nil, src.readErr()
	}
	if err != nil {
		return nil, err
	}
	if err := checkPadding(br, lim); err != nil {
		if src.err != nil {
			return nil, src.readErr()
		}
		return nil, err
	}
	return o, nil
}

func readBundle(br *countReader, lim Limits, sink Sink) (*Opened, error) {
	tr := tar.NewReader(br)
	o := &Opened{IsBundle: true}
	seen := make(map[string]bool)
	var total int64
	var dataEnd int64 // where the previous entry's data (and block padding) ends
	for i := 0; ; i++ {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			if br.n-dataEnd != 2*blockSize {
				return nil, fmt.Errorf("%w: archive ends without its end-of-archive marker", ErrMalformed)
			}
			if o.Envelope == nil {
				return nil, fmt.Errorf("%w: empty archive", ErrMalformed)
			}
			if o.Form != nil && o.Form.Answers == nil {
				return nil, fmt.Errorf("%w: %s is not followed by %s", ErrMalformed, FormName, AnswersName)
			}
			return o, nil
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return nil, fmt.Errorf("%w: entry %d: %v", ErrMalformed, i+1, err)
		}
		if hdr.Typeflag == tar.TypeReg {
			dataEnd = br.n + blockRound(hdr.Size)
		} else {
			dataEnd = br.n
		}
		if i >= lim.MaxEntries {
			return nil, fmt.Errorf("%w: more than %d entries", ErrTooLarge, lim.MaxEntries)
		}
		if err := checkEntry(hdr); err != nil {
			return nil, err
		}
		name := hdr.Name
		switch {
		case i == 0:
			if name != EnvelopeName || hdr.Typeflag != tar.TypeReg {
				return nil, fmt.Errorf("%w: first entry is %q, not %s: not a difesa bundle", ErrMalformed, name, EnvelopeName)
			}
			data, err := readJSON(tr, hdr, lim)
			if err != nil {
				return nil, err
			}
			if o.Envelope, err = parseEnvelope(data); err != nil {
				return nil, err
			}
		case name == ReportName && i == 1:
			if hdr.Typeflag != tar.TypeReg {
				return nil, fmt.Errorf("%w: %s is not a regular file", ErrMalformed, name)
			}
			data, err := readJSON(tr, hdr, lim)
			if err != nil {
				return nil, err
			}
			if o.Report, err = parseReport(data); err != nil {
				return nil, err
			}
		case name == FormName && i == 1:
			if hdr.Typeflag != tar.TypeReg {
				return nil, fmt.Errorf("%w: %s is not a regular file", ErrMalformed, name)
			}
			data, err := readJSON(tr, hdr, lim)
			if err != nil {
				return nil, err
			}
			if err := checkFormJSON(name, data, lim.MaxJSONSize); err != nil {
				return nil, err
			}
			o.Form = &FormAnswers{Form: data}
		case name == AnswersName && i == 2 && o.Form != nil:
			if hdr.Typeflag != tar.TypeReg {
				return nil, fmt.Errorf("%w: %s is not a regular file", ErrMalformed, name)
			}
			data, err := readJSON(tr, hdr, lim)
			if err != nil {
				return nil, err
			}
			if err := checkFormJSON(name, data, lim.MaxJSONSize); err != nil {
				return nil, err
			}
			o.Form.Answers = data
		case o.Form != nil && o.Form.Answers == nil:
			return nil, fmt.Errorf("%w: %s is not followed by %s", ErrMalformed, FormName, AnswersName)
		case name == EnvelopeName || name == ReportName || name == FormName || name == AnswersName:
			return nil, fmt.Errorf("%w: %s out of place (entry %d)", ErrMalformed, name, i+1)
		case hdr.Typeflag == tar.TypeDir && name == FilesDir:
			// A directory entry for files/ itself, as stock tar writes it.
		case strings.HasPrefix(name, FilesDir):
			if hdr.Typeflag != tar.TypeReg {
				return nil, fmt.Errorf("%w: %q is not a regular file", ErrUnsafePath, name)
			}
			fname := strings.TrimPrefix(name, FilesDir)
			if err := checkAttachmentName(fname); err != nil {
				return nil, err
			}
			if seen[fname] {
				return nil, fmt.Errorf("%w: duplicate attachment %q", ErrUnsafePath, fname)
			}
			seen[fname] = true
			if hdr.Size > lim.MaxFileSize {
				return nil, fmt.Errorf("%w: attachment %q is %d bytes, the limit is %d", ErrTooLarge, fname, hdr.Size, lim.MaxFileSize)
			}
			total += hdr.Size
			if total > lim.MaxTotalSize {
				return nil, fmt.Errorf("%w: attachments total more than %d bytes", ErrTooLarge, lim.MaxTotalSize)
			}
			o.Files = append(o.Files, FileInfo{Name: fname, Size: hdr.Size})
			if sink != nil {
				if err := sink(fname, hdr.Size, struct{ io.Reader }{tr}); err != nil {
					return nil, fmt.Errorf("bundle: attachment %q: %w", fname, err)
				}
			}
		case hdr.Typeflag == tar.TypeDir:
			return nil, fmt.Errorf("%w: directory %q outside %s", ErrUnsafePath, name, FilesDir)
		default:
			return nil, fmt.Errorf("%w: unexpected entry %q", ErrMalformed, name)
		}
	}
}

// checkEntry refuses unsafe names and every entry type but regular files
// and directories, whatever the entry's place in the archive.
func checkEntry(hdr *tar.Header) error {
	if err := checkEntryPath(hdr.Name); err != nil {
		return err
	}
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeDir:
	case tar.TypeSymlink, tar.TypeLink:
		return fmt.Errorf("%w: %q is a link", ErrUnsafePath, hdr.Name)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return fmt.Errorf("%w: %q is a device or FIFO", ErrUnsafePath, hdr.Name)
	default:
		return fmt.Errorf("%w: %q has unsupported type %q", ErrMalformed, hdr.Name, hdr.Typeflag)
	}
	if hdr.Linkname != "" {
		return fmt.Errorf("%w: %q has a link target", ErrUnsafePath, hdr.Name)
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return fmt.Errorf("%w: %q is a sparse file", ErrMalformed, hdr.Name)
		}
	}
	return nil
}

func readJSON(tr *tar.Reader, hdr *tar.Header, lim Limits) ([]byte, error) {
	if hdr.Size > lim.MaxJSONSize {
		return nil, fmt.Errorf("%w: %s is %d bytes, the limit is %d", ErrTooLarge, hdr.Name, hdr.Size, lim.MaxJSONSize)
	}
	data, err := io.ReadAll(tr)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, hdr.Name, err)
	}
	return data, nil
}

// checkPadding reads what follows the end-of-archive marker: it must be
// zeros, and no more of them than Padmé adds (or, for archives made by
// stock tar, the rest of a 10240-byte record). Non-zero bytes are refused
// rather than ignored: nothing may hide behind the archive.
// paddingBufs hold the buffers [checkPadding] reads padding into: one of
// its own for each bundle was a seventh of what a desk's first sync
// allocated.
var paddingBufs = sync.Pool{New: func() any { return new([32 << 10]byte) }}

func checkPadding(br *countReader, lim Limits) error {
	allowed := max(Padme(br.n)-br.n, 20*blockSize)
	p := paddingBufs.Get().(*[32 << 10]byte)
	defer paddingBufs.Put(p)
	buf := p[:]
	var seen int64
	for {
		n, err := br.Read(buf)
		if !allZero(buf[:n]) {
			clear(buf) // what follows the archive goes back to the pool unread
			return fmt.Errorf("%w: non-zero bytes after the end of the archive", ErrMalformed)
		}
		seen += int64(n)
		if seen > allowed {
			return fmt.Errorf("%w: more than %d bytes of padding after the end of the archive", ErrMalformed, allowed)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func allZero(p []byte) bool {
	for _, b := range p {
		if b != 0 {
			return false
		}
	}
	return true
}
