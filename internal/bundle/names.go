package bundle

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen is the longest attachment name, in bytes, that [Write] writes
// and [Read] accepts; most file systems allow 255.
const MaxNameLen = 255

// checkEntryPath refuses raw tar entry names that could escape or confuse
// an extraction directory, whatever the entry is.
func checkEntryPath(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty name", ErrUnsafePath)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: name %q is not valid UTF-8", ErrUnsafePath, name)
	case strings.HasPrefix(name, "/"):
		return fmt.Errorf("%w: absolute path %q", ErrUnsafePath, name)
	case strings.ContainsRune(name, '\\'):
		return fmt.Errorf("%w: backslash in %q", ErrUnsafePath, name)
	case len(name) >= 2 && name[1] == ':':
		return fmt.Errorf("%w: drive letter in %q", ErrUnsafePath, name)
	}
	for _, r := range name {
		if r == 0 || unicode.IsControl(r) {
			return fmt.Errorf("%w: control character in %q", ErrUnsafePath, name)
		}
	}
	for _, elem := range strings.Split(name, "/") {
		if elem == ".." {
			return fmt.Errorf("%w: %q has a \"..\" element", ErrUnsafePath, name)
		}
	}
	return nil
}

// checkAttachmentName checks the NAME in files/NAME: a single path element
// that is safe to show and to extract. It does not make the name safe for
// every file system; [DirSink] sanitises further.
func checkAttachmentName(name string) error {
	if err := checkEntryPath(name); err != nil {
		return err
	}
	switch {
	case len(name) > MaxNameLen:
		return fmt.Errorf("%w: attachment name longer than %d bytes", ErrUnsafePath, MaxNameLen)
	case strings.ContainsRune(name, '/'):
		return fmt.Errorf("%w: attachment name %q has a separator (no subdirectories under %s)", ErrUnsafePath, name, FilesDir)
	case name == ".":
		return fmt.Errorf("%w: attachment name %q", ErrUnsafePath, name)
	}
	return nil
}
