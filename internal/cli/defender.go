package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/sealed"
	"difesa.org/difesa/internal/wire"
)

// defenderFlags are the flags of the commands a defender runs with their
// codename: check, followup, forget.
type defenderFlags struct {
	hubFlags
	secret secretSource
}

func (d *defenderFlags) register(fs *flag.FlagSet, cmd string) {
	d.hubFlags.register(fs, cmd)
	d.secret.register(fs, "codename", "codename-fd")
}

// keys reads the codename and derives the keys of the conversation at c's
// hub. stdinFree says whether standard input may hold the codename.
func (d *defenderFlags) keys(e *env, c *client.Client, stdinFree bool) (*codename.Keys, error) {
	typed, err := d.secret.read(e, "your codename", stdinFree)
	if err != nil {
		return nil, err
	}
	cn, err := d.secret.parse(typed)
	if err != nil {
		return nil, err
	}
	e.printf("deriving keys…")
	k, err := codename.Derive(cn, c.HubID())
	if err != nil {
		return nil, fmt.Errorf("deriving the keys of the codename: %w", err)
	}
	return k, nil
}

// conversation reads the codename, derives its keys and finds the
// conversation at c's hub, checking the codename before anything else is
// done with it. doing names the step for errors ("reading the
// conversation").
func (d *defenderFlags) conversation(ctx context.Context, e *env, c *client.Client, stdinFree bool, doing string) (*codename.Keys, client.ThreadToken, *wire.Thread, error) {
	keys, err := d.keys(e, c, stdinFree)
	if err != nil {
		return nil, client.ThreadToken{}, nil, err
	}
	token := client.ThreadToken(keys.Token)
	th, err := c.Thread(ctx, token)
	if err != nil {
		return nil, client.ThreadToken{}, nil, explainThreadError(fmt.Errorf("%s: %w", doing, err))
	}
	return keys, token, th, nil
}

// explainThreadError explains the answers of the conversation endpoints.
func explainThreadError(err error) error {
	if wait, ok := client.RetryAfter(err); ok && errors.Is(err, &wire.Error{Code: wire.CodeTooManyRequests}) {
		return withHints(errors.New("the hub is limiting codename attempts right now"),
			fmt.Sprintf("wait %d s and try again", max(1, int(wait.Seconds()))))
	}
	if errors.Is(err, &wire.Error{Code: wire.CodeNoThread}) {
		return withHints(errors.New("no conversation for this codename at this hub"),
			"check the codename against what you wrote down, and that -hub is the hub you sent the report to",
			"the conversation may also have been deleted, by you (difesa forget) or by the hub's responders")
	}
	return err
}

// readText returns the text of -m if it was given, or else standard input
// (which must not be a terminal). It refuses text that is not UTF-8.
func readText(e *env, cmd string, fs *flag.FlagSet, m string) (string, error) {
	if isSet(fs, "m") {
		if !utf8.ValidString(m) {
			return "", errorWithHints("the message is not text (UTF-8)", "send it as a file with -attach FILE")
		}
		return m, nil
	}
	if isTerminal(e.stdin) {
		return "", usageErrorf(cmd, "no message").hint(
			"write it with -m \"TEXT\", or pipe it: difesa " + cmd + " … < message.txt")
	}
	data, err := io.ReadAll(io.LimitReader(e.stdin, maxMessage+1))
	if err != nil {
		return "", fmt.Errorf("reading the message from standard input: %w", err)
	}
	if len(data) > maxMessage {
		return "", errorWithHints(fmt.Sprintf("the message is longer than %s", humanSize(maxMessage)),
			"send long texts as a file with -attach FILE")
	}
	if !utf8.Valid(data) {
		return "", errorWithHints("the message is not text (UTF-8)", "send it as a file with -attach FILE")
	}
	return string(data), nil
}

// textReport is the report.json of a bundle that is only text and files:
// a follow-up, a reply, check-in instructions.
func textReport(text string) *bundle.Report { return sealed.TextReport(text) }

// requireContent refuses a message with neither text nor files.
func requireContent(cmd, what, text string, attach []string) error {
	if strings.TrimSpace(text) == "" && len(attach) == 0 {
		return usageErrorf(cmd, "the %s is empty", what).hint(
			"write a message with -m \"TEXT\" or on standard input, or attach a file with -attach FILE")
	}
	return nil
}
