package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"difesa.org/difesa/internal/bundle"
	"filippo.io/age"
)

const openUsage = `Usage:
    difesa open -hub URL -i IDENTITY [-o DIR] ID
    difesa open -hub URL -i IDENTITY -raw FILE ID

Downloads a submission, decrypts it on this computer with your key, prints
the report and saves its files in DIR (by default a new folder difesa-ID in
the current folder). Files never overwrite anything: a name that is taken
gets a number, like "photo (1).jpg".

Options:
    -hub URL        The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -i IDENTITY     Your responder key file, made with "difesa keygen".
    -o DIR          Save the files in DIR (created if needed).
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
	outDir := flags.String("o", "", "output folder")
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
	if *raw != "" && *outDir != "" {
		return usageErrorf("open", "-raw and -o cannot be used together")
	}
	if *raw != "" {
		return openRaw(ctx, e, &rf, id, *raw)
	}

	dir, fresh := *outDir, false
	if dir == "" {
		dir, fresh = "difesa-"+id, true
	}
	if fi, err := os.Stat(dir); err == nil {
		if fresh {
			return errorWithHints(fmt.Sprintf("%s already exists", dir),
				"was this submission opened before? choose another folder with -o DIR")
		}
		if !fi.IsDir() {
			return errorWithHints(fmt.Sprintf("%s exists and is not a folder", dir),
				"choose another folder with -o DIR")
		}
	} else {
		fresh = true
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
	sink := func(name string, size int64, r io.Reader) error {
		final := name
		err := bundle.DirSink(dir, func(_, to string) { final = to })(name, size, r)
		if err == nil {
			saved = append(saved, savedFile{name: name, final: final, size: size})
		}
		return err
	}
	undo := func() {
		if fresh {
			os.RemoveAll(dir)
			return
		}
		for _, f := range saved {
			os.Remove(filepath.Join(dir, f.final))
		}
	}

	o, err := bundle.Read(plain, bundle.DefaultLimits, sink)
	if err != nil {
		undo()
		return withHints(fmt.Errorf("reading submission %s: %w", id, err),
			"the submission may be damaged or not made by difesa; save it with -raw FILE to look at it with age")
	}
	if !o.IsBundle && (o.Truncated || looksBinary([]byte(o.Message))) {
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
	return printOpened(e, id, o, dir, saved)
}

type savedFile struct {
	name, final string
	size        int64
}

// printOpened shows what was found. Every string in it comes from a
// stranger and is cleaned of terminal controls.
func printOpened(e *env, id string, o *bundle.Opened, dir string, saved []savedFile) error {
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
	msg := o.Message
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
	if len(saved) > 0 {
		fmt.Fprintf(&b, "\nFiles saved in %s:\n", clean(dir))
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, f := range saved {
			size := ""
			if f.size >= 0 {
				size = humanSize(f.size)
			}
			note := ""
			if f.final != f.name {
				note = fmt.Sprintf("(renamed from %q)", clean(f.name))
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\n", clean(f.final), size, note)
		}
		tw.Flush()
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
