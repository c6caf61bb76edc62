package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

const replyUsage = `Usage:
    difesa reply -hub URL -i IDENTITY [-m TEXT] [-attach FILE]... ID

Answers the defender of the conversation that submission ID belongs to.
The message is the text of -m, or else standard input.

The reply is encrypted on this computer to the hub's responders, from the
hub's signed list, and to the defender's own reply key, which their report
carries: so your colleagues can read the conversation, and the defender can
read the reply with their codename ("difesa check"). The server can do
neither. A defender who left no codename cannot be answered.

Options:
    -hub URL           The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -i IDENTITY        Your responder key file, made with "difesa keygen".
    -m TEXT            The message. Without -m it is read from standard input.
    -attach FILE       A file to send with it. Repeat for several files.
    -lang TAG          The language you write in, like "es" or "pt-BR".
    -pin FINGERPRINT   The fingerprint of the hub's admin key, if difesa has
                       not pinned it yet.
    -proxy URL         Connect through a proxy, like socks5h://127.0.0.1:9050
                       for Tor (the default is $ALL_PROXY, if set).`

func runReply(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("reply")
	var rf responderFlags
	rf.register(flags, "reply")
	rf.registerPin(flags)
	message := flags.String("m", "", "message")
	lang := flags.String("lang", "", "language")
	var attach multiFlag
	flags.Var(&attach, "attach", "file to attach")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("reply", "expected one submission id, got %d arguments", len(pos)).hint(
			"list the ids with \"difesa inbox\"", "to send a message use -m \"TEXT\" (with quotes)")
	}
	id := pos[0]
	if err := checkID("reply", id); err != nil {
		return err
	}
	text, err := readText(e, "reply", flags, *message)
	if err != nil {
		return err
	}
	if err := requireContent("reply", "reply", text, attach); err != nil {
		return err
	}
	files, closeFiles, err := openAttachments(attach)
	if err != nil {
		return err
	}
	defer closeFiles()
	b := plainBundle{env: bundle.NewEnvelope(bundle.KindReply, *lang, e.now()), rep: textReport(text), files: files}
	if _, err := bundle.Size(b.env, b.rep, b.files); err != nil {
		return explainBundleError(err)
	}

	c, ids, logout, err := rf.login(ctx)
	if err != nil {
		return err
	}
	defer logout()
	th, err := c.ResponderThread(ctx, id)
	if err != nil {
		if errors.Is(err, &wire.Error{Code: wire.CodeNoThread}) {
			return withHints(errNoReplyRecipient, "the defender can still be reached only if they gave a contact in the report (difesa open shows it)")
		}
		return explainResponderThreadError(fmt.Errorf("reading the conversation of %s: %w", id, err))
	}
	defender, err := replyRecipientOf(ctx, c, ids, th.ID)
	if errors.Is(err, errNoReplyRecipient) {
		return withHints(err, "the defender can still be reached only if they gave a contact in the report (difesa open shows it)")
	}
	if errors.Is(err, errNotForYou) {
		return withHints(fmt.Errorf("cannot read the opening report %s with %s: %w", th.ID, rf.files(), err),
			"the defender's reply key is inside it; ask a colleague who can read it, or rekey the hub's archive")
	}
	if err != nil {
		return err
	}
	v, err := verifyHub(ctx, e, c, rf.pin)
	if err != nil {
		return err
	}
	if v, err = restrictedTo(ctx, c, v, th.ID); err != nil { // case_restrict.go
		return err
	}
	created, v, err := sendBundle(ctx, e, c, rf.pin, v, []age.Recipient{defender}, b,
		func(body io.Reader, epoch uint64) (*wire.SubmissionCreated, error) {
			return c.Reply(ctx, id, epoch, body)
		})
	if err != nil {
		return explainSubmitError(ctx, c, "reply", err)
	}
	e.printf("reply sent to the defender of %s on hub %q (%s encrypted, epoch %d)", th.ID, c.HubID(), humanSize(created.Size), v.Epoch)
	_, err = fmt.Fprintln(e.stdout, created.ID)
	return err
}
