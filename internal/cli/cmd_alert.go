package cli

import (
	"context"
	"fmt"
	"io"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/wire"
)

const alertUsage = `Usage:
    difesa alert -hub URL [-m TEXT] [-where PLACE] [-needs HELP] [-attach FILE]... [-no-codename]

Sends an urgent alert: the hub's responders are notified at once, and the
alert is listed first in their inbox. Use it when you need help now; for
everything else use "difesa submit".

The message is the text of -m, or else standard input:
    $ difesa alert -hub URL -m "Police at the office, they are taking computers." -where "Via Roma 1"

Like a report, the alert is encrypted on this computer to the hub's
responders, from the hub's signed list (see "difesa help submit"); only its
being an alert is visible to the server. It is sent in one step, without
progress or questions.

Like "difesa submit", the alert opens a conversation: difesa makes a
codename of seven words and shows it once on standard error. With it you
read the responders' replies ("difesa check"), add to the alert ("difesa
followup") and delete it all ("difesa forget"). Write it down and keep it
safe: anyone who has it can read the replies and write as you, and if you
lose it nobody can give it back. If you cannot keep a codename safe (you
may be searched), give -no-codename: the alert is sent just the same, but
the responders cannot answer you through the hub, only by the contact you
give in the message, if any.

Options:
    -hub URL          The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -m TEXT           The message. Without -m it is read from standard input.
    -where PLACE      Where you are, or where it happens.
    -needs HELP       What help you need.
    -category C       What happens (default "other"); see "difesa help submit".
    -attach FILE      A file to send with it. Repeat for several files.
    -lang TAG         The language you write in, like "es" or "pt-BR".
    -no-codename      Do not make a codename: the responders will not be able
                      to answer you through the hub.
    -pin FINGERPRINT  The fingerprint of the hub's admin key, if difesa has
                      not pinned it yet.
    -proxy URL        Connect through a proxy, like socks5h://127.0.0.1:9050
                      for Tor (the default is $ALL_PROXY, if set).

On success the submission id is printed on standard output.`

func runAlert(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("alert")
	var hf hubFlags
	hf.register(flags, "alert")
	hf.registerPin(flags)
	rep := bundle.Report{}
	flags.StringVar(&rep.Category, "category", "other", "category")
	flags.StringVar(&rep.Where, "where", "", "where")
	flags.StringVar(&rep.Needs, "needs", "", "needs")
	lang := flags.String("lang", "", "language")
	message := flags.String("m", "", "message")
	var attach multiFlag
	flags.Var(&attach, "attach", "file to attach")
	noCodename := flags.Bool("no-codename", false, "no conversation")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("alert", "unexpected argument %q", pos[0]).hint(
			"to send a message use -m \"TEXT\" (with quotes)")
	}
	if !bundle.ValidCategory(rep.Category) {
		return usageErrorf("alert", "unknown category %q", rep.Category).hint(
			"valid categories: "+categoryIDs(), "if none fits, leave -category out")
	}
	c, err := hf.client()
	if err != nil {
		return err
	}
	if rep.Narrative, err = readText(e, "alert", flags, *message); err != nil {
		return err
	}
	if rep.Narrative == "" && rep.Where == "" && rep.Needs == "" && len(attach) == 0 {
		return usageErrorf("alert", "the alert is empty").hint(
			"say what happens with -m \"TEXT\", -where and -needs")
	}
	files, closeFiles, err := openAttachments(attach)
	if err != nil {
		return err
	}
	defer closeFiles()
	b := plainBundle{env: bundle.NewEnvelope(bundle.KindAlert, *lang, e.now()), rep: &rep, files: files}
	thread, err := startThread(c, &b.env, *noCodename)
	if err != nil {
		return err
	}
	if _, err := bundle.Size(b.env, b.rep, b.files); err != nil {
		return explainBundleError(err)
	}
	v, err := verifyHub(ctx, e, c, hf.pin)
	if err != nil {
		return err
	}
	// An alert never waits for an answer: someone may be in danger now.
	if err := confirmFirstContact(e, c, v, false); err != nil {
		return err
	}
	created, v, err := sendBundle(ctx, e, c, hf.pin, v, nil, b,
		func(body io.Reader, epoch uint64) (*wire.SubmissionCreated, error) {
			return thread.upload(ctx, c, bundle.KindAlert, epoch, body)
		})
	if err != nil {
		return explainSubmitError(ctx, c, "alert", err)
	}
	e.printf("ALERT sent to hub %q (%s encrypted, epoch %d): it reaches the responders as urgent", c.HubID(), humanSize(created.Size), v.Epoch)
	thread.show(e, c.HubURL())
	_, err = fmt.Fprintln(e.stdout, created.ID)
	return err
}
