package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/form"
	"filippo.io/age"
)

const openUsage = `Usage:
    difesa open -hub URL -i IDENTITY [-save DIR] ID
    difesa open -hub URL -i IDENTITY -raw FILE ID

Downloads a submission, decrypts it on this computer with your key, and
prints the report with the list of its attached files. The files are
written to disk, in plaintext, only if you ask, with -save DIR. Files never
overwrite anything: a name that is taken gets a number, like
"photo (1).jpg", and a file already saved in DIR with the same content is
not written again.

Options:
    -hub URL        The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -i IDENTITY     Your responder key file, made with "difesa keygen".
    -save DIR       Save the attached files in DIR (created if needed,
                    mode 0700). -o DIR is the same.
    -raw FILE       Save the encrypted submission as it is, without
                    decrypting it; "-" for standard output. Decrypt it later
                    with age: age -d -i IDENTITY FILE | tar x
    -proxy URL      Connect through a proxy, like socks5h://127.0.0.1:9050
                    for Tor (the default is $ALL_PROXY, if set).

Reports come from strangers: their files may be hostile. Open them with
care, ideally on a computer set apart for that.`

func runOpen(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("open")
	var rf responderFlags
	rf.register(flags, "open")
	var dir string
	flags.StringVar(&dir, "save", "", "folder for the attachments")
	flags.StringVar(&dir, "o", "", "folder for the attachments (the same as -save)")
	raw := flags.String("raw", "", "save the ciphertext")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("open", "expected one submission id, got %d arguments", len(pos)).hint(
			"list the ids with \"difesa inbox\"")
	}
	id := pos[0]
	if err := checkID("open", id); err != nil {
		return err
	}
	if *raw != "" && dir != "" {
		return usageErrorf("open", "-raw and -save cannot be used together")
	}
	if *raw != "" {
		return openRaw(ctx, e, &rf, id, *raw)
	}

	save, fresh := dir != "", false
	if save {
		if fi, err := os.Stat(dir); err == nil {
			if !fi.IsDir() {
				return errorWithHints(fmt.Sprintf("%s exists and is not a folder", dir),
					"choose another folder with -save DIR")
			}
		} else {
			fresh = true
		}
	}

	c, ids, logout, err := rf.login(ctx)
	if err != nil {
		return err
	}
	defer logout()

	tmp, err := os.CreateTemp("", "difesa-*.age") // mode 0600
	if err != nil {
		return fmt.Errorf("creating a temporary file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := c.Download(ctx, id, tmp); err != nil {
		return notFoundHint(fmt.Errorf("downloading %s: %w", id, err), noSubmissionHint)
	}
	decrypt := func() (io.Reader, error) {
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		r, err := age.Decrypt(tmp, ids...)
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, withHints(fmt.Errorf("none of the keys in %s can decrypt submission %s", rf.files(), id),
				"it was encrypted to other keys: maybe the hub's keys changed since it was sent",
				"another responder of the hub may be able to read it")
		}
		if err != nil {
			return nil, fmt.Errorf("decrypting %s: %w", id, err)
		}
		return r, nil
	}
	plain, err := decrypt()
	if err != nil {
		return err
	}

	if fresh {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("creating %s: %w", dir, err)
		}
	}
	var saved []savedFile
	var sink bundle.Sink
	if save {
		sink = bundle.SaveOnceSink(dir, func(s bundle.Saved) {
			saved = append(saved, savedFile{name: s.Name, final: s.File, size: s.Size, dup: s.Duplicate})
		})
	}
	undo := func() {
		if fresh {
			os.RemoveAll(dir)
			return
		}
		removeSaved(dir, saved)
	}

	o, err := bundle.Read(plain, bundle.DefaultLimits, sink)
	if err != nil {
		undo()
		return withHints(fmt.Errorf("reading submission %s: %w", id, err),
			"the submission may be damaged or not made by difesa; save it with -raw FILE to look at it with age")
	}
	whole := !o.IsBundle && (o.Truncated || looksBinary([]byte(o.Message)))
	if whole && !save {
		o.Message = ""
		if err := printOpened(ctx, e, id, o, dir, nil, newFormReader(e, c)); err != nil {
			return err
		}
		e.printf("hint: this is not a difesa report and not text: it was not shown. Save it, in plaintext, with -save DIR")
		return nil
	}
	if whole {
		// Not a report, and not something to print: save it whole.
		plain, err := decrypt()
		if err != nil {
			undo()
			return err
		}
		name := "message.txt"
		if looksBinary([]byte(o.Message)) {
			name = "message.bin"
		}
		if err := sink(name, -1, plain); err != nil {
			undo()
			return fmt.Errorf("saving submission %s: %w", id, err)
		}
		o.Message = ""
	}
	if len(saved) == 0 && fresh {
		os.Remove(dir) // empty
	}
	if err := printOpened(ctx, e, id, o, dir, saved, newFormReader(e, c)); err != nil {
		return err
	}
	if !save {
		unsavedHint(e, len(o.Files), "the same command")
	}
	return nil
}

// savedFile is an attachment written to disk (or found there already,
// with the same content: dup).
type savedFile struct {
	name, final string
	size        int64
	dup         bool
}

// printOpened shows what was found. Every string in it comes from a
// stranger and is cleaned of terminal controls.
func printOpened(ctx context.Context, e *env, id string, o *bundle.Opened, dir string, saved []savedFile, fr *formReader) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, clean(oneLine(v)))
		}
	}
	field("Submission", id)
	if o.IsBundle {
		field("Kind", o.Envelope.Kind)
		field("Created", o.Envelope.Created)
		field("Language", o.Envelope.Language)
		if r := o.Report; r != nil {
			field("Category", fmt.Sprintf("%s (%s)", bundle.CategoryTitle(r.Category), r.Category))
			field("When", r.When)
			field("Where", r.Where)
			field("Who", r.Who)
			field("Needs", r.Needs)
			field("Contact", r.Contact)
		}
	} else {
		field("Kind", "not a difesa report: a plain encrypted file")
	}
	tw.Flush()
	if o.Form != nil {
		fr.write(&b, o, "")
	}
	msg := o.Message
	if !o.IsBundle && form.IsTemplate([]byte(msg)) {
		fr.writeTemplate(ctx, &b, msg)
		msg = ""
	}
	if o.Report != nil {
		msg = o.Report.Narrative
	}
	if strings.TrimSpace(msg) != "" {
		b.WriteString("\nMessage:\n")
		b.WriteString(clean(msg))
		if !strings.HasSuffix(msg, "\n") {
			b.WriteString("\n")
		}
	}
	if len(saved) > 0 || len(o.Files) > 0 {
		b.WriteString("\n")
		writeFiles(&b, o, dir, saved, "")
	}
	var out strings.Builder
	for line := range strings.Lines(b.String()) {
		out.WriteString(strings.TrimRight(line, " \n"))
		out.WriteString("\n")
	}
	return writeAll(e.stdout, out.String())
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// openRaw saves the ciphertext as is.
func openRaw(ctx context.Context, e *env, rf *responderFlags, id, path string) error {
	var w io.Writer
	var f *os.File
	if path == "-" {
		if isTerminal(e.stdout) {
			return errorWithHints("refusing to print an encrypted file to the terminal",
				"save it with -raw FILE, or redirect standard output to a file")
		}
		w = e.stdout
	} else {
		var err error
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return errorWithHints(fmt.Sprintf("%s already exists", path),
				"difesa never overwrites files: choose another name with -raw")
		}
		if err != nil {
			return fmt.Errorf("creating %s: %w", path, err)
		}
		w = f
	}
	c, _, logout, err := rf.login(ctx)
	if err == nil {
		defer logout()
		var n int64
		n, err = c.Download(ctx, id, w)
		if err != nil {
			err = notFoundHint(fmt.Errorf("downloading %s: %w", id, err), noSubmissionHint)
		} else if f != nil {
			e.printf("saved %s (%s, encrypted) in %s", id, humanSize(n), path)
		}
	}
	if f != nil {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("writing %s: %w", path, cerr)
		}
		if err != nil {
			os.Remove(path)
		}
	}
	return err
}
