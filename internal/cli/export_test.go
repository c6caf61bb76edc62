package cli

import (
	"context"
	"io"
	"strings"
	"time"
)

// MainAt is [Main] on a given clock, for the testscripts (cli_test.go).
var MainAt = mainAt

// ScryptWorkFactor is the scrypt cost of keygen -passphrase: tests lower
// it to stay fast; the default is age's.
var ScryptWorkFactor = &scryptWorkFactor

// RunWatch runs "difesa watch" with args until ctx ends, for the
// end-to-end tests of package cli_test.
func RunWatch(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	e := &env{stdin: strings.NewReader(""), stdout: stdout, stderr: stderr, now: time.Now}
	return runWatch(ctx, e, args)
}
