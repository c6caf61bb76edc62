package cli

import (
	"context"
	"fmt"
	"io"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/wire"
)

const followupUsage = `Usage:
    difesa followup -hub URL [-m TEXT] [-attach FILE]... [-codename-fd N]

Adds a message, and files, to the report you sent, as its follow-up. You
need the codename that "difesa submit" showed you. The message is the text
of -m, or else standard input:
    $ difesa followup -hub URL -m "They came back today."
    $ difesa followup -hub URL -codename-fd 3 < more.txt 3< codename.txt

Like a report, the follow-up is encrypted on this computer to the hub's
responders, from the hub's signed list (see "difesa help submit").

The codename is asked for without showing it on the screen; or it is read
from file descriptor N (-codename-fd), or from standard input when the
message is given with -m and standard input is not a terminal.

Options:
    -hub URL          The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -m TEXT           The message. Without -m it is read from standard input.
    -attach FILE      A file to send with it. Repeat for several files.
    -lang TAG         The language you write in, like "es" or "pt-BR".
    -codename-fd N    Read the codename from file descriptor N.
    -pin FINGERPRINT  The fingerprint of the hub's admin key, if difesa has
                      not pinned it yet.
    -proxy URL        Connect through a proxy, like socks5h://127.0.0.1:9050
                      for Tor (the default is $ALL_PROXY, if set).`

func runFollowup(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("followup")
	var df defenderFlags
	df.register(flags, "followup")
	df.registerPin(flags)
	message := flags.String("m", "", "message")
	lang := flags.String("lang", "", "language")
	var attach multiFlag
	flags.Var(&attach, "attach", "file to attach")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("followup", "unexpected argument %q", pos[0]).hint(
			"to send a file use -attach FILE", "to send a message use -m \"TEXT\" (with quotes)")
	}
	c, err := df.client()
	if err != nil {
		return err
	}
	text, err := readText(e, "followup", flags, *message)
	if err != nil {
		return err
	}
	if err := requireContent("followup", "follow-up", text, attach); err != nil {
		return err
	}
	files, closeFiles, err := openAttachments(attach)
	if err != nil {
		return err
	}
	defer closeFiles()
	b := plainBundle{env: bundle.NewEnvelope(bundle.KindFollowup, *lang, e.now()), rep: textReport(text), files: files}
	if _, err := bundle.Size(b.env, b.rep, b.files); err != nil {
		return explainBundleError(err)
	}

	// Check the codename before encrypting anything.
	_, token, _, err := df.conversation(ctx, e, c, isSet(flags, "m"), "finding the conversation")
	if err != nil {
		return err
	}
	v, err := verifyHub(ctx, e, c, df.pin)
	if err != nil {
		return err
	}
	if err := confirmFirstContact(e, c, v, true); err != nil {
		return err
	}
	created, v, err := sendBundle(ctx, e, c, df.pin, v, nil, b,
		func(body io.Reader, epoch uint64) (*wire.SubmissionCreated, error) {
			return c.Followup(ctx, token, epoch, body)
		})
	if err != nil {
		return explainThreadError(explainSubmitError(ctx, c, "follow-up", err))
	}
	e.printf("follow-up sent to hub %q (%s encrypted, epoch %d)", c.HubID(), humanSize(created.Size), v.Epoch)
	_, err = fmt.Fprintln(e.stdout, created.ID)
	return err
}
