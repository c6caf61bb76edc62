package desk

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"syscall"

	"difesa.org/difesa/internal/desk/casebook"
)

// errorClass names the kind of failure err is, never its text. An error's
// text can carry what a report holds (an attachment's name in a path the
// export could not write, a field quoted by a decoder), and nothing from a
// report may reach the desk's log; the page the responder sees says what
// failed.
func errorClass(err error) string {
	var errno syscall.Errno
	var netErr net.Error
	switch {
	case err == nil:
		return "no error"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, casebook.ErrClosed):
		return "the desk is closing"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, fs.ErrExist):
		return "already exists"
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.As(err, &errno):
		return errno.Error()
	case errors.As(err, &netErr):
		return "network error"
	}
	return "unexpected error"
}
