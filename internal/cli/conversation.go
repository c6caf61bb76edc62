package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

// fetchFunc downloads the ciphertext of one message of a conversation.
type fetchFunc func(ctx context.Context, id string, w io.Writer) (int64, error)

// attachDir is the folder where attachments of a conversation are saved
// when the user asks for it (-save), created (0700) only when the first
// one arrives. Files never overwrite anything: a name that is taken gets a
// number, and an attachment already saved there with the same content is
// not written again.
type attachDir struct {
	dir     string
	created bool
}

func (a *attachDir) sink(saved *[]savedFile) bundle.Sink {
	return func(name string, size int64, r io.Reader) error {
		if !a.created {
			if err := os.MkdirAll(a.dir, 0o700); err != nil {
				return fmt.Errorf("creating %s: %w", a.dir, err)
			}
			a.created = true
		}
		return bundle.SaveOnceSink(a.dir, func(s bundle.Saved) {
			*saved = append(*saved, savedFile{name: s.Name, final: s.File, size: s.Size, dup: s.Duplicate})
		})(name, size, r)
	}
}

// removeSaved removes the files that were written for a message that
// turned out broken; files already there before are left alone.
func removeSaved(dir string, saved []savedFile) {
	for _, f := range saved {
		if !f.dup {
			os.Remove(filepath.Join(dir, f.final))
		}
	}
}

// errNotForYou is a message that none of the identities can decrypt.
var errNotForYou = errors.New("it is not encrypted to your keys")

// openMessage downloads message id, decrypts it on this computer with ids
// and reads it as a bundle, saving its attachments in out (if not nil:
// otherwise they are only listed, in the result's Files). The ciphertext
// waits in a temporary file (mode 0600); the plaintext is never written
// anywhere but the attachments. On error, what was saved of it is removed.
func openMessage(ctx context.Context, fetch fetchFunc, id string, ids []age.Identity, out *attachDir) (*bundle.Opened, []savedFile, error) {
	tmp, err := os.CreateTemp("", "difesa-*.age")
	if err != nil {
		return nil, nil, fmt.Errorf("creating a temporary file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := fetch(ctx, id, tmp); err != nil {
		return nil, nil, fmt.Errorf("downloading %s: %w", id, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	plain, err := age.Decrypt(tmp, ids...)
	var nm *age.NoIdentityMatchError
	if errors.As(err, &nm) {
		return nil, nil, errNotForYou
	}
	if err != nil {
		return nil, nil, fmt.Errorf("decrypting %s: %w", id, err)
	}
	var saved []savedFile
	var sink bundle.Sink
	if out != nil {
		sink = out.sink(&saved)
	}
	o, err := bundle.Read(plain, bundle.DefaultLimits, sink)
	if err != nil {
		if out != nil {
			removeSaved(out.dir, saved)
		}
		return nil, nil, fmt.Errorf("reading %s: %w", id, err)
	}
	if !o.IsBundle && (o.Truncated || looksBinary([]byte(o.Message))) {
		o.Message = "[not a difesa message, and not text: not shown]"
	}
	return o, saved, nil
}

// kindPhrase names a kind of message for people.
func kindPhrase(kind string) string {
	switch kind {
	case wire.KindReport:
		return "a report"
	case wire.KindAlert:
		return "an urgent alert"
	case wire.KindFollowup:
		return "a follow-up"
	case wire.KindReply:
		return "a reply"
	case wire.KindCheckin:
		return "check-in instructions"
	}
	return fmt.Sprintf("a message of kind %q", clean(kind))
}

// writeOpened shows a decrypted message, every line indented. Every string
// in it comes from someone else and is cleaned of terminal controls.
func writeOpened(b *strings.Builder, o *bundle.Opened, dir string, saved []savedFile, indent string, fr *formReader) {
	var head strings.Builder
	tw := tabwriter.NewWriter(&head, 0, 0, 2, ' ', 0)
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s%s\t%s\n", indent, k, clean(oneLine(v)))
		}
	}
	msg := o.Message
	if o.IsBundle {
		if r := o.Report; r != nil {
			msg = r.Narrative
			if k := o.Envelope.Kind; k == bundle.KindReport || k == bundle.KindAlert || r.Category != "other" {
				field("Category", fmt.Sprintf("%s (%s)", bundle.CategoryTitle(r.Category), r.Category))
			}
			field("When", r.When)
			field("Where", r.Where)
			field("Who", r.Who)
			field("Needs", r.Needs)
			field("Contact", r.Contact)
		}
		field("Language", o.Envelope.Language)
	} else {
		field("Note", "not a difesa message: a plain encrypted file")
	}
	tw.Flush()
	b.WriteString(head.String())
	fr.write(b, o, indent)
	if strings.TrimSpace(msg) != "" {
		if head.Len() > 0 {
			b.WriteString("\n")
		}
		for line := range strings.Lines(clean(msg)) {
			b.WriteString(indent)
			b.WriteString(strings.TrimRight(line, "\n"))
			b.WriteString("\n")
		}
	}
	writeFiles(b, o, dir, saved, indent)
}

// writeFiles lists a message's attachments: where they were saved, or,
// when they were not, their names and sizes.
func writeFiles(b *strings.Builder, o *bundle.Opened, dir string, saved []savedFile, indent string) {
	switch {
	case len(saved) > 0:
		fmt.Fprintf(b, "%sfiles saved in %s:\n", indent, clean(dir))
	case len(o.Files) > 0:
		fmt.Fprintf(b, "%sattachments, not saved (%d):\n", indent, len(o.Files))
	default:
		return
	}
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	if len(saved) == 0 {
		for _, f := range o.Files {
			fmt.Fprintf(tw, "%s    %s\t%s\n", indent, clean(f.Name), humanSize(f.Size))
		}
		tw.Flush()
		return
	}
	for _, f := range saved {
		size, note := "", ""
		if f.size >= 0 {
			size = humanSize(f.size)
		}
		switch {
		case f.dup:
			note = "(already saved: same content, not written again)"
		case f.final != f.name:
			note = fmt.Sprintf("(renamed from %q)", clean(f.name))
		}
		fmt.Fprintf(tw, "%s    %s\t%s\t%s\n", indent, clean(f.final), size, note)
	}
	tw.Flush()
}

// unsavedHint tells how to save attachments that were only listed.
func unsavedHint(e *env, n int, cmd string) {
	if n > 0 {
		e.printf("hint: %d attachments not saved. They are written to disk, in plaintext, only if you ask: run %s again with -save DIR", n, cmd)
	}
}

// trimLines drops trailing spaces that tabwriter leaves.
func trimLines(s string) string {
	var out strings.Builder
	for line := range strings.Lines(s) {
		out.WriteString(strings.TrimRight(line, " \n"))
		out.WriteString("\n")
	}
	return out.String()
}
