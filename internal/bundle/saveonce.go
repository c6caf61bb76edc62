package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Saved says where [SaveOnceSink] put an attachment.
type Saved struct {
	// Name is the attachment's name in the bundle, File the file's name
	// in the directory.
	Name, File string
	// Size is the attachment's size in bytes.
	Size int64
	// Duplicate means the directory already held a file of that name (or
	// one of its "name (N).ext" variants) with the same content: nothing
	// was written, and File is that file.
	Duplicate bool
}

// SaveOnceSink is [DirSink] for attachments that may be saved again, as
// when a conversation is read twice: an attachment whose content a file
// of the same name (or a "name (N).ext" variant of it) in dir already
// holds is not written a second time. Each attachment is reported to done,
// written or not.
func SaveOnceSink(dir string, done func(Saved)) Sink {
	return func(name string, size int64, r io.Reader) error {
		final := SanitizeName(name)
		if err := DirSink(dir, func(_, to string) { final = to })(name, size, r); err != nil {
			return err
		}
		dup, err := sameContentBefore(dir, SanitizeName(name), final)
		if err != nil {
			return err
		}
		s := Saved{Name: name, File: final, Size: size}
		if dup != "" {
			if err := os.Remove(filepath.Join(dir, final)); err != nil {
				return fmt.Errorf("bundle: removing the duplicate %s: %w", filepath.Join(dir, final), err)
			}
			s.File, s.Duplicate = dup, true
		}
		if done != nil {
			done(s)
		}
		return nil
	}
}

// sameContentBefore returns the first of the names DirSink tried before
// final for name that is a regular file with the same content as final,
// or "".
func sameContentBefore(dir, name, final string) (string, error) {
	if final == name {
		return "", nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", fmt.Errorf("bundle: opening %s: %w", dir, err)
	}
	defer root.Close()
	ext := filepath.Ext(name)
	if ext == name {
		ext = ""
	}
	stem := strings.TrimSuffix(name, ext)
	for i := 0; i <= maxCollisions; i++ {
		candidate := collisionName(name, stem, ext, i)
		if candidate == final {
			return "", nil
		}
		same, err := sameFile(root, candidate, final)
		if err != nil {
			return "", err
		}
		if same {
			return candidate, nil
		}
	}
	return "", nil
}

// sameFile reports whether a, a regular file and not a link, has the
// content of b.
func sameFile(root *os.Root, a, b string) (bool, error) {
	fa, err := root.Lstat(a)
	if err != nil || !fa.Mode().IsRegular() {
		return false, nil // gone, or not a file we wrote
	}
	fb, err := root.Lstat(b)
	if err != nil {
		return false, fmt.Errorf("bundle: %w", err)
	}
	if fa.Size() != fb.Size() {
		return false, nil
	}
	ra, err := root.Open(a)
	if err != nil {
		return false, nil
	}
	defer ra.Close()
	rb, err := root.Open(b)
	if err != nil {
		return false, fmt.Errorf("bundle: %w", err)
	}
	defer rb.Close()
	return equalReaders(ra, rb)
}

func equalReaders(a, b io.Reader) (bool, error) {
	var ba, bb [32 << 10]byte
	for {
		na, ea := io.ReadFull(a, ba[:])
		nb, eb := io.ReadFull(b, bb[:])
		if !bytes.Equal(ba[:na], bb[:nb]) {
			return false, nil
		}
		endA := errors.Is(ea, io.EOF) || errors.Is(ea, io.ErrUnexpectedEOF)
		endB := errors.Is(eb, io.EOF) || errors.Is(eb, io.ErrUnexpectedEOF)
		switch {
		case ea != nil && !endA:
			return false, fmt.Errorf("bundle: %w", ea)
		case eb != nil && !endB:
			return false, fmt.Errorf("bundle: %w", eb)
		case endA || endB:
			return endA && endB, nil
		}
	}
}
