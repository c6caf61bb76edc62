package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/sealed"
	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

var submitUsage = `Usage:
    difesa submit -hub URL [-category C] [-m TEXT] [-attach FILE]... [OPTIONS]

Sends a report to a hub. The report, and every attached file, is encrypted
on this computer to the hub's responders before it leaves it: the server
stores it but cannot read it, and neither can anyone on the way.

The message is the text of -m, or else standard input:
    $ difesa submit -hub URL -category threats -m "They came to the office."
    $ difesa submit -hub URL -category surveillance < what-happened.txt

Options:
    -hub URL          The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -category C       What happened (default "other"), one of:
` + categoryList("                          ") + `
    -m TEXT           The message. Without -m it is read from standard input.
    -when TEXT        When it happened, in your words.
    -where TEXT       Where it happened.
    -who TEXT         Who was affected.
    -needs TEXT       What help you need.
    -contact TEXT     Whether and how responders may contact you.
    -lang TAG         The language you write in, like "es" or "pt-BR".
    -attach FILE      A file to send with the report (photo, document…).
                      Repeat for several files.
    -pin FINGERPRINT  The fingerprint of the hub's admin key, as the people
                      who run the hub gave it to you (40 hex digits). A hub
                      whose key has another fingerprint is refused.
    -proxy URL        Connect through a proxy, like socks5h://127.0.0.1:9050
                      for Tor (the default is $ALL_PROXY, if set).
    -progress         Show progress even when standard error is not a terminal.
    -no-codename      Do not make a codename: the responders will not be able
                      to answer you through the hub.

A hub may have its own forms ("difesa forms -hub URL" lists them):
    -form ID          Answer the hub's form ID instead of the options above.
                      difesa checks the form against the hub's admin key, and
                      refuses one the key did not sign or an older version
                      than one it has seen. In a terminal it asks the
                      questions, each only when the earlier answers call for it.
    -answer FIELD=VALUE
                      Answer the question FIELD (repeat for several values:
                      several choices, several files). A choice is given by
                      its id, yes/no as yes or no (or the words of your
                      language, like sí or non), files by their paths.
    -answers FILE     Answers from a file: lines FIELD=VALUE, or a JSON
                      object {"FIELD": "VALUE" or ["VALUE", …]}.
    -ask              Ask the remaining questions even when standard input is
                      not a terminal.

The hub's list of responders is signed by its admin key. The first time
you use a hub, difesa remembers that key (or checks it against -pin) and
prints its fingerprint; afterwards it refuses any list the key did not sign,
or an older list than one it has seen. See "difesa help pins".

The report carries today's date (not the time), the language and the fields
above; file names are sent, other file details are not. On success the
submission id is printed on standard output.

Unless -no-codename is given, difesa makes a codename of seven words, shows
it once on standard error, and opens a conversation with it: with the
codename you can read the responders' replies ("difesa check"), add to the
report ("difesa followup") and delete it all ("difesa forget"). Write it
down and keep it safe: if you lose it, you cannot receive replies; anyone
who has it can read them and write as you. The hub never sees the codename,
only a token derived from it; the key for replies travels inside the
encrypted report.`

func categoryList(indent string) string {
	var b strings.Builder
	for i, c := range bundle.Categories {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s%-38s %s", indent, c.ID, c.Title)
	}
	return b.String()
}

func categoryIDs() string {
	ids := make([]string, len(bundle.Categories))
	for i, c := range bundle.Categories {
		ids[i] = c.ID
	}
	return strings.Join(ids, ", ")
}

// maxMessage bounds the message, which travels in report.json.
const maxMessage = 512 << 10

func runSubmit(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("submit")
	var hf hubFlags
	hf.register(flags, "submit")
	hf.registerPin(flags)
	var rep bundle.Report
	flags.StringVar(&rep.Category, "category", "other", "category")
	flags.StringVar(&rep.When, "when", "", "when")
	flags.StringVar(&rep.Where, "where", "", "where")
	flags.StringVar(&rep.Who, "who", "", "who")
	flags.StringVar(&rep.Needs, "needs", "", "needs")
	flags.StringVar(&rep.Contact, "contact", "", "contact")
	lang := flags.String("lang", "", "language")
	message := flags.String("m", "", "message")
	var attach multiFlag
	flags.Var(&attach, "attach", "file to attach")
	forceProgress := flags.Bool("progress", false, "show progress")
	noCodename := flags.Bool("no-codename", false, "no conversation")
	var ff formFlags
	ff.register(flags)
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if ff.id != "" {
		if err := ff.check(flags, attach); err != nil {
			return err
		}
	}
	if len(pos) > 0 {
		return usageErrorf("submit", "unexpected argument %q", pos[0]).hint(
			"to send a file with the report use -attach FILE",
			"to send a message use -m \"TEXT\" (with quotes)")
	}
	if !bundle.ValidCategory(rep.Category) {
		return usageErrorf("submit", "unknown category %q", rep.Category).hint(
			"valid categories: "+categoryIDs(),
			"if none fits, use -category other")
	}
	if hf.hub == "" {
		_, err := hf.client()
		return err
	}

	// Everything local is checked before anything goes on the network.
	if ff.id != "" {
		// The form's questions are known only once it is verified.
	} else if isSet(flags, "m") {
		rep.Narrative = *message
	} else {
		if isTerminal(e.stdin) {
			return usageErrorf("submit", "no message").hint(
				"write it with -m \"TEXT\", or pipe it: difesa submit … < message.txt")
		}
		data, err := io.ReadAll(io.LimitReader(e.stdin, maxMessage+1))
		if err != nil {
			return fmt.Errorf("reading the message from standard input: %w", err)
		}
		if len(data) > maxMessage {
			return errorWithHints(fmt.Sprintf("the message is longer than %s", humanSize(maxMessage)),
				"send long texts as a file with -attach FILE")
		}
		rep.Narrative = string(data)
	}
	if ff.id == "" && !utf8.ValidString(rep.Narrative) {
		return errorWithHints("the message is not text (UTF-8)",
			"send it as a file with -attach FILE")
	}
	if ff.id == "" && strings.TrimSpace(rep.Narrative) == "" && len(attach) == 0 {
		return usageErrorf("submit", "the report is empty").hint(
			"write a message with -m \"TEXT\" or on standard input, or attach a file with -attach FILE")
	}

	files, closeFiles, err := openAttachments(attach)
	if err != nil {
		return err
	}
	defer closeFiles()

	c, err := hf.client()
	if err != nil {
		return err
	}
	envl := bundle.NewEnvelope(bundle.KindReport, *lang, e.now())
	thread, err := startThread(c, &envl, *noCodename)
	if err != nil {
		return err
	}
	pb := plainBundle{env: envl, rep: &rep, files: files}
	var plainSize int64
	if ff.id == "" {
		if plainSize, err = pb.size(); err != nil {
			return explainBundleError(err)
		}
	}

	v, err := verifyHub(ctx, e, c, hf.pin)
	if err != nil {
		return err
	}
	if err := confirmFirstContact(e, c, v, true); err != nil {
		return err
	}
	if ff.id != "" {
		fa, formFiles, closeForm, err := ff.fill(ctx, e, c, v, *lang)
		if err != nil {
			return err
		}
		defer closeForm()
		pb.rep, pb.form, pb.files = nil, fa, formFiles
		files = formFiles
		if plainSize, err = pb.size(); err != nil {
			return explainBundleError(err)
		}
	}
	estimate := ciphertextSize(plainSize, len(v.Recipients))
	if estimate > 16<<20 {
		// Worth one more request to avoid sending gigabytes for nothing.
		if info, err := c.Hub(ctx); err == nil && info.MaxSubmissionSize > 0 && estimate > info.MaxSubmissionSize {
			return tooLarge(estimate, info.MaxSubmissionSize)
		}
	}
	showProgress := *forceProgress || (isTerminal(e.stderr) && estimate > 1<<20)

	send := func(v *client.Verified) (*wire.SubmissionCreated, error) {
		for _, f := range files {
			if s, ok := f.Body.(io.Seeker); ok {
				if _, err := s.Seek(0, io.SeekStart); err != nil {
					return nil, fmt.Errorf("reading %q again: %w", f.Name, err)
				}
			}
		}
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() { done <- encryptBundle(pw, v.Recipients, pb) }()
		var body io.Reader = pr
		var prog *progress
		if showProgress {
			prog = newProgress(e.stderr, pr, estimate)
			body = prog
		}
		created, err := thread.upload(ctx, c, bundle.KindReport, v.Epoch, body)
		pr.CloseWithError(errUploadEnded)
		encErr := <-done
		if prog != nil {
			prog.finish(err == nil)
		}
		if err != nil && encErr != nil && !uploadStopped(encErr) {
			return nil, explainBundleError(encErr)
		}
		return created, err
	}
	created, v, err := sendAgainIfAsked(ctx, e, c, hf.pin, v, send)
	if err != nil {
		return explainSubmitError(ctx, c, "report", err)
	}
	e.printf("report sent to hub %q (%s encrypted, epoch %d)", c.HubID(), humanSize(created.Size), v.Epoch)
	thread.show(e, c.HubURL())
	_, err = fmt.Fprintln(e.stdout, created.ID)
	return err
}

// showCodename prints the codename of a new conversation, once, with what
// it is for and how to keep it.
func showCodename(e *env, name codename.Codename, hubURL string) {
	e.printf("your codename for this report, shown only this once:")
	fmt.Fprintf(e.stderr, "\n    %s\n\n", name.String())
	e.printf("write it down now and keep it safe, apart from this computer. With it you can")
	e.printf("read the responders' replies and add to your report:")
	e.printf("    difesa check -hub %s", hubURL)
	e.printf("    difesa followup -hub %s -m \"…\"", hubURL)
	e.printf("if you lose it, you cannot receive replies: nobody can recover it, not even the hub.")
	e.printf("anyone who has it can read the replies and write to the hub as you.")
}

// epochChange returns the API error code of err if it says the hub's
// recipients changed under the upload, or "".
func epochChange(err error) string { return sealed.EpochChange(err) }

// errUploadEnded stops the encryption when the upload stopped reading.
var errUploadEnded = sealed.ErrUploadEnded

// encryptBundle writes the bundle, encrypted to recipients, into pw and
// closes it with the outcome.
func encryptBundle(pw *io.PipeWriter, recipients []age.Recipient, b plainBundle) error {
	return sealed.Encrypt(pw, recipients, b.sealed())
}

// openAttachments opens the -attach files, refusing anything but regular
// files and two files of the same name.
func openAttachments(paths []string) ([]bundle.Attachment, func(), error) {
	var files []bundle.Attachment
	var open []*os.File
	closeAll := func() {
		for _, f := range open {
			f.Close()
		}
	}
	seen := map[string]string{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			closeAll()
			return nil, nil, withHints(fmt.Errorf("cannot attach %q: %w", p, errors.Unwrap(err)),
				"check the file's name and place; -attach takes one file at a time")
		}
		open = append(open, f)
		fi, err := f.Stat()
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("cannot attach %q: %w", p, err)
		}
		if fi.IsDir() {
			closeAll()
			return nil, nil, errorWithHints(fmt.Sprintf("cannot attach %q: it is a folder", p),
				"attach the files in it one by one, with one -attach for each")
		}
		if !fi.Mode().IsRegular() {
			closeAll()
			return nil, nil, errorWithHints(fmt.Sprintf("cannot attach %q: it is not a regular file", p),
				"copy it to a regular file first")
		}
		name := filepath.Base(p)
		if other, ok := seen[name]; ok {
			closeAll()
			return nil, nil, errorWithHints(fmt.Sprintf("%q and %q have the same name", other, p),
				"the hub sees files by name only: rename one of them")
		}
		seen[name] = p
		files = append(files, bundle.Attachment{Name: name, Size: fi.Size(), Body: f})
	}
	return files, closeAll, nil
}

// ciphertextSize returns the size of an age file with a payload of n bytes,
// the header estimated for the given number of post-quantum recipients.
func ciphertextSize(n int64, recipients int) int64 {
	const chunk = 64 << 10
	chunks := max(1, (n+chunk-1)/chunk)
	return 16 + n + 16*chunks + 100 + int64(recipients)*1600
}

func tooLarge(size, limit int64) error {
	return errorWithHints(fmt.Sprintf("the report is too large for this hub (about %s)", humanSize(size)),
		fmt.Sprintf("the hub accepts at most %d bytes (%s); send fewer or smaller files, or split them across several reports", limit, humanSize(limit)))
}

func explainBundleError(err error) error {
	switch {
	case errors.Is(err, bundle.ErrSizeMismatch):
		return withHints(err, "a file changed while it was being sent; wait until it is complete and try again")
	case errors.Is(err, bundle.ErrUnsafePath):
		return withHints(err, "rename the file to a plain name and try again")
	case errors.Is(err, bundle.ErrTooLarge):
		return withHints(err, "send fewer or smaller files, or split them across several reports")
	case errors.Is(err, bundle.ErrInvalid):
		return withHints(err, "check -lang (a language tag like \"es\" or \"pt-BR\") and that every text is UTF-8")
	}
	return err
}

func explainSubmitError(ctx context.Context, c *client.Client, what string, err error) error {
	var we *wire.Error
	if errors.As(err, &we) && we.Code == wire.CodeTooLarge {
		if info, ierr := c.Hub(ctx); ierr == nil && info.MaxSubmissionSize > 0 {
			return withHints(fmt.Errorf("sending the %s: %w", what, err),
				fmt.Sprintf("the hub accepts at most %d bytes (%s); send fewer or smaller files, or split them across several reports",
					info.MaxSubmissionSize, humanSize(info.MaxSubmissionSize)))
		}
		return withHints(fmt.Errorf("sending the %s: %w", what, err),
			"send fewer or smaller files, or split them across several reports")
	}
	if epochChange(err) != "" {
		return withHints(fmt.Errorf("sending the %s: %w", what, err),
			"the hub's keys changed again while you were sending; run the same command again")
	}
	return fmt.Errorf("sending the %s: %w", what, err)
}
