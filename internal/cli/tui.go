package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/term"
)

// hinted is an error that comes with what the user can do about it.
type hinted struct {
	err   error
	hints []string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }

// withHints attaches hints to err, shown after it as "difesa: hint:" lines.
func withHints(err error, hints ...string) error {
	if err == nil {
		return nil
	}
	return &hinted{err: err, hints: hints}
}

// errorWithHints is errors.New plus hints.
func errorWithHints(msg string, hints ...string) error {
	return withHints(errors.New(msg), hints...)
}

// usageError is a mistake in the command line. It exits with code 2 and
// points at the command's usage.
type usageError struct {
	cmd   string
	err   error
	hints []string
}

func (u *usageError) Error() string { return u.err.Error() }
func (u *usageError) Unwrap() error { return u.err }

func usageErrorf(cmd, format string, a ...any) *usageError {
	return &usageError{cmd: cmd, err: fmt.Errorf(format, a...)}
}

func (u *usageError) hint(h ...string) *usageError {
	u.hints = append(u.hints, h...)
	return u
}

// fail prints err (if any) with its hints and returns the exit code.
func (e *env) fail(err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(e.stderr, "difesa: error: %s\n", clean(e.translate(err.Error())))
	for _, h := range hintsFor(err) {
		fmt.Fprintf(e.stderr, "difesa: hint: %s\n", clean(e.translate(h)))
	}
	var u *usageError
	if errors.As(err, &u) {
		if u.cmd != "" {
			fmt.Fprintf(e.stderr, "difesa: hint: %s\n", e.translate(fmt.Sprintf("run \"difesa %s -h\" for usage", u.cmd)))
		} else {
			fmt.Fprintf(e.stderr, "difesa: hint: %s\n", e.translate("run \"difesa help\" for usage"))
		}
		return 2
	}
	return 1
}

// hintsFor collects the hints attached to err, or, failing that, the
// generic ones for network and API errors.
func hintsFor(err error) []string {
	var hints []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch h := e.(type) {
		case *hinted:
			hints = append(hints, h.hints...)
		case *usageError:
			hints = append(hints, h.hints...)
		}
	}
	if len(hints) > 0 {
		return hints
	}
	return genericHints(err)
}

// printf writes a "difesa: " line to standard error. The whole line goes
// through [clean]: its arguments are often a hub's words.
func (e *env) printf(format string, a ...any) {
	fmt.Fprintf(e.stderr, "difesa: %s\n", clean(e.translate(fmt.Sprintf(format, a...))))
}

// isTerminal reports whether f is an *os.File attached to a terminal.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// clean makes text from elsewhere (a hub, a report) safe to show in a
// terminal: control characters other than newline and tab, and the
// bidirectional overrides that can disguise text, become U+FFFD; invalid
// UTF-8 too.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r) || isBidiControl(r):
			return '\uFFFD'
		}
		return r
	}, s)
}

func isBidiControl(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f ||
		0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069
}

// looksBinary reports whether p is not text worth printing.
func looksBinary(p []byte) bool {
	if !utf8.Valid(p) {
		return true
	}
	for _, c := range p {
		if c < 0x20 && c != '\n' && c != '\t' && c != '\r' && c != 0x1b {
			return true
		}
	}
	return false
}

// humanSize formats n bytes for people.
func humanSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// writeAll writes s to w, for outputs whose errors matter.
func writeAll(w io.Writer, s string) error {
	_, err := io.WriteString(w, s)
	return err
}
