package bundle

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxCollisions bounds the "name (N).ext" candidates [DirSink] tries.
const maxCollisions = 10000

// DirSink returns a [Sink] that writes each attachment into the directory
// dir and never anywhere else: files are opened through an [os.Root] with
// O_CREATE|O_EXCL and mode 0600, so an existing file or symlink is never
// overwritten or followed. The name is first made a single safe path
// element by [SanitizeName]; when it is taken, "name (1).ext", "name
// (2).ext"… are tried. Whenever the file gets a name other than the one in
// the bundle, renamed (if not nil) is called with both.
//
// A file whose copy fails is removed.
func DirSink(dir string, renamed func(from, to string)) Sink {
	return func(name string, size int64, r io.Reader) error {
		root, err := os.OpenRoot(dir)
		if err != nil {
			return fmt.Errorf("bundle: opening %s: %w", dir, err)
		}
		defer root.Close()
		f, final, err := createUnique(root, SanitizeName(name))
		if err != nil {
			return err
		}
		_, err = io.Copy(f, r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = root.Remove(final)
			return fmt.Errorf("bundle: writing %s: %w", filepath.Join(dir, final), err)
		}
		if final != name && renamed != nil {
			renamed(name, final)
		}
		return nil
	}
}

func createUnique(root *os.Root, name string) (*os.File, string, error) {
	ext := filepath.Ext(name)
	if ext == name {
		ext = ""
	}
	stem := strings.TrimSuffix(name, ext)
	for i := 0; i <= maxCollisions; i++ {
		candidate := collisionName(name, stem, ext, i)
		f, err := root.OpenFile(candidate, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			return f, candidate, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, "", fmt.Errorf("bundle: creating %s: %w", candidate, err)
		}
	}
	return nil, "", fmt.Errorf("bundle: creating %s: %d names taken", name, maxCollisions)
}

// collisionName is the i-th name [DirSink] tries for name: name itself,
// then "stem (i).ext".
func collisionName(name, stem, ext string, i int) string {
	if i == 0 {
		return name
	}
	suffix := fmt.Sprintf(" (%d)", i)
	return truncateUTF8(stem, maxSanitizedLen-len(suffix)-len(ext)) + suffix + ext
}

// maxSanitizedLen leaves room under the usual 255-byte limit for a
// collision suffix.
const maxSanitizedLen = 240

// SanitizeName turns an attachment name from a bundle into a single path
// element that is safe on Unix, macOS and Windows: separators, control and
// bidirectional-override characters and the characters Windows reserves
// are replaced by "_", invalid UTF-8 too; leading dots and spaces are
// dropped (no hidden files, no "..") and trailing ones too (Windows); device
// names such as CON or NUL get a "_" prefix; the result is at most 240
// bytes, keeping the extension, and never empty.
func SanitizeName(name string) string {
	name = strings.ToValidUTF8(name, "_")
	name = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || unicode.IsControl(r) || isBidiControl(r):
			return '_'
		case strings.ContainsRune(`/\:*?"<>|`, r):
			return '_'
		}
		return r
	}, name)
	name = strings.TrimLeft(name, ". ")
	name = strings.TrimRight(name, ". ")
	if name == "" {
		return "attachment"
	}
	base, _, _ := strings.Cut(name, ".")
	if isWindowsDevice(base) {
		name = "_" + name
	}
	if len(name) > maxSanitizedLen {
		ext := filepath.Ext(name)
		if len(ext) > 16 || !utf8.ValidString(ext) {
			ext = ""
		}
		name = truncateUTF8(strings.TrimSuffix(name, ext), maxSanitizedLen-len(ext)) + ext
	}
	return name
}

func isBidiControl(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f ||
		0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069
}

func isWindowsDevice(base string) bool {
	switch strings.ToUpper(strings.TrimRight(base, " ")) {
	case "CON", "PRN", "AUX", "NUL",
		"COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		return true
	}
	return false
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if n < 0 {
		n = 0
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
