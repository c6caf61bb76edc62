package bundle

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"time"
)

// Attachment is a file to put under files/ in a bundle. Size must be the
// exact number of bytes Body yields: it is written in the tar header before
// the body is read, and [Write] fails with [ErrSizeMismatch] otherwise.
// Body may be nil when Size is 0.
type Attachment struct {
	Name string
	Size int64
	Body io.Reader
}

// epoch is the modification time of every entry, so that no clock leaks.
var epoch = time.Unix(0, 0)

// entry is one planned tar entry: a header and, for JSON, its body.
type entry struct {
	hdr  *tar.Header
	json []byte
	body io.Reader
}

// plan validates the inputs of [Write] and [Size] against [DefaultLimits],
// so that a client never sends a bundle a hub would refuse, and returns the
// entries in order.
func plan(env Envelope, rep *Report, fa *FormAnswers, files []Attachment) ([]entry, error) {
	if err := env.validate(); err != nil {
		return nil, fmt.Errorf("%w: envelope: %w", ErrInvalid, err)
	}
	lim := DefaultLimits
	envJSON, err := marshalJSON(env)
	if err != nil {
		return nil, fmt.Errorf("%w: envelope: %v", ErrInvalid, err)
	}
	entries := []entry{{hdr: fileHeader(EnvelopeName, int64(len(envJSON))), json: envJSON}}
	if rep != nil {
		if !ValidCategory(rep.Category) {
			return nil, fmt.Errorf("%w: unknown category %q", ErrInvalid, rep.Category)
		}
		if err := rep.validate(); err != nil {
			return nil, fmt.Errorf("%w: report: %v", ErrInvalid, err)
		}
		repJSON, err := marshalJSON(rep)
		if err != nil {
			return nil, fmt.Errorf("%w: report: %v", ErrInvalid, err)
		}
		if int64(len(repJSON)) > lim.MaxJSONSize {
			return nil, fmt.Errorf("%w: %s is %d bytes, the limit is %d", ErrTooLarge, ReportName, len(repJSON), lim.MaxJSONSize)
		}
		entries = append(entries, entry{hdr: fileHeader(ReportName, int64(len(repJSON))), json: repJSON})
	}
	if fa != nil {
		if rep != nil {
			return nil, fmt.Errorf("%w: a bundle has %s or %s, not both", ErrInvalid, ReportName, FormName)
		}
		for _, e := range []struct {
			name string
			data []byte
		}{{FormName, fa.Form}, {AnswersName, fa.Answers}} {
			if err := checkFormJSON(e.name, e.data, lim.MaxJSONSize); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
			}
			entries = append(entries, entry{hdr: fileHeader(e.name, int64(len(e.data))), json: e.data})
		}
	}
	if len(entries)+len(files) > lim.MaxEntries {
		return nil, fmt.Errorf("%w: %d attachments, at most %d fit in a bundle", ErrTooLarge, len(files), lim.MaxEntries-len(entries))
	}
	seen := make(map[string]bool, len(files))
	var total int64
	for _, f := range files {
		if err := checkAttachmentName(f.Name); err != nil {
			return nil, fmt.Errorf("attachment: %w", err)
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("%w: attachment %q given twice", ErrUnsafePath, f.Name)
		}
		seen[f.Name] = true
		switch {
		case f.Size < 0:
			return nil, fmt.Errorf("%w: attachment %q has negative size", ErrInvalid, f.Name)
		case f.Size > lim.MaxFileSize:
			return nil, fmt.Errorf("%w: attachment %q is %d bytes, the limit is %d", ErrTooLarge, f.Name, f.Size, lim.MaxFileSize)
		}
		total += f.Size
		if total > lim.MaxTotalSize {
			return nil, fmt.Errorf("%w: attachments total more than %d bytes", ErrTooLarge, lim.MaxTotalSize)
		}
		entries = append(entries, entry{hdr: fileHeader(FilesDir+f.Name, f.Size), body: f.Body})
	}
	return entries, nil
}

// fileHeader returns the deterministic header of a regular file. The format
// is left to archive/tar, which picks ustar and falls back to PAX only for
// names that ustar cannot hold (long or non-ASCII).
func fileHeader(name string, size int64) *tar.Header {
	return &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     name,
		Mode:     0o600,
		Size:     size,
		ModTime:  epoch,
	}
}

// Write streams the bundle for env, rep (nil for none) and files into w: a
// tar archive of envelope.json, report.json and files/NAME, then zero bytes
// up to the [Padme] length. Attachment bodies are copied, never held in
// memory. It returns the number of bytes written, which on success equals
// [Size].
func Write(w io.Writer, env Envelope, rep *Report, files []Attachment) (int64, error) {
	entries, err := plan(env, rep, nil, files)
	if err != nil {
		return 0, err
	}
	return write(w, entries)
}

// WriteForm is [Write] for a bundle made with one of the hub's own forms:
// form.json and answers.json of fa in place of report.json.
func WriteForm(w io.Writer, env Envelope, fa *FormAnswers, files []Attachment) (int64, error) {
	entries, err := plan(env, nil, fa, files)
	if err != nil {
		return 0, err
	}
	return write(w, entries)
}

func write(w io.Writer, entries []entry) (int64, error) {
	cw := &countWriter{w: w}
	tw := tar.NewWriter(cw)
	for _, e := range entries {
		if err := tw.WriteHeader(e.hdr); err != nil {
			return cw.n, fmt.Errorf("bundle: writing %s: %w", e.hdr.Name, err)
		}
		if e.json != nil {
			if _, err := tw.Write(e.json); err != nil {
				return cw.n, fmt.Errorf("bundle: writing %s: %w", e.hdr.Name, err)
			}
			continue
		}
		if err := copyBody(tw, e); err != nil {
			return cw.n, err
		}
	}
	if err := tw.Close(); err != nil {
		return cw.n, fmt.Errorf("bundle: writing end of archive: %w", err)
	}
	if err := writeZeros(cw, Padme(cw.n)-cw.n); err != nil {
		return cw.n, fmt.Errorf("bundle: writing padding: %w", err)
	}
	return cw.n, nil
}

// copyBody copies exactly e.hdr.Size bytes of e.body and checks that the
// body has nothing more.
func copyBody(tw *tar.Writer, e entry) error {
	name, size := e.hdr.Name, e.hdr.Size
	if e.body == nil {
		if size != 0 {
			return fmt.Errorf("%w: %s: no body for %d bytes", ErrSizeMismatch, name, size)
		}
		return nil
	}
	n, err := io.CopyN(tw, e.body, size)
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %s: body has %d bytes, declared %d", ErrSizeMismatch, name, n, size)
	}
	if err != nil {
		return fmt.Errorf("bundle: writing %s: %w", name, err)
	}
	var probe [1]byte
	for {
		m, err := e.body.Read(probe[:])
		if m > 0 {
			return fmt.Errorf("%w: %s: body is longer than the declared %d bytes", ErrSizeMismatch, name, size)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("bundle: reading %s: %w", name, err)
		}
	}
}

// Size returns the exact number of bytes [Write] writes for these inputs,
// padding included, without reading any attachment body. It fails where
// Write would, except for bodies that do not match their Size.
func Size(env Envelope, rep *Report, files []Attachment) (int64, error) {
	entries, err := plan(env, rep, nil, files)
	if err != nil {
		return 0, err
	}
	return size(entries)
}

// SizeForm is [Size] for [WriteForm].
func SizeForm(env Envelope, fa *FormAnswers, files []Attachment) (int64, error) {
	entries, err := plan(env, nil, fa, files)
	if err != nil {
		return 0, err
	}
	return size(entries)
}

func size(entries []entry) (int64, error) {
	var n int64
	for _, e := range entries {
		// archive/tar writes the whole header (PAX records included) in
		// WriteHeader, so counting its output gives the header length.
		cw := &countWriter{w: io.Discard}
		if err := tar.NewWriter(cw).WriteHeader(e.hdr); err != nil {
			return 0, fmt.Errorf("bundle: sizing %s: %w", e.hdr.Name, err)
		}
		n += cw.n + blockRound(e.hdr.Size)
	}
	n += 2 * blockSize // end-of-archive marker
	return Padme(n), nil
}

const blockSize = 512

func blockRound(n int64) int64 { return (n + blockSize - 1) / blockSize * blockSize }

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

var zeros [32 << 10]byte

func writeZeros(w io.Writer, n int64) error {
	for n > 0 {
		chunk := min(n, int64(len(zeros)))
		if _, err := w.Write(zeros[:chunk]); err != nil {
			return err
		}
		n -= chunk
	}
	return nil
}
