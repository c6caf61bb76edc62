package casebook

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/wire"
)

// entry is one submission as the desk holds it in memory: the hub's
// listing entry and what was decrypted of it, without the attachments'
// contents (they stay in the vault's ciphertext).
type entry struct {
	sub    wire.Submission
	chunks int
	// seq is the number its ciphertext is kept under (0: under its id).
	seq    uint64
	opened *bundle.Opened
	files  []fileInfo
	// err says why it could not be read, if it could not.
	err string
	// subject is the first line of what the defender wrote, shortened.
	subject string
}

// fileInfo is what the desk knows of an attachment without keeping it.
type fileInfo struct {
	name  string
	size  int64
	sha   string
	image bool
}

// errNotForYou is a submission none of the identities decrypts.
var errNotForYou = errors.New("it is not encrypted to your keys")

// decrypt opens a submission's ciphertext with ids and reads it as a
// hostile bundle, hashing each attachment and keeping none of it.
func decrypt(ct []byte, ids []age.Identity) ([]fileInfo, *bundle.Opened, error) {
	var files []fileInfo
	o, err := openBundle(ct, ids, func(name string, size int64, r io.Reader) error {
		h := sha256.New()
		var head [512]byte
		n, err := io.ReadFull(r, head[:])
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return err
		}
		h.Write(head[:n])
		m, err := io.Copy(h, r)
		if err != nil {
			return err
		}
		files = append(files, fileInfo{
			name: name, size: int64(n) + m, sha: hex.EncodeToString(h.Sum(nil)),
			image: strings.HasPrefix(http.DetectContentType(head[:n]), "image/"),
		})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return files, o, nil
}

// openBundle decrypts ct and reads it with sink, as "difesa open" does: a
// plaintext that is no bundle and not text is not shown.
func openBundle(ct []byte, ids []age.Identity, sink bundle.Sink) (*bundle.Opened, error) {
	plain, err := plaintextOf(ct, ids)
	var nm *age.NoIdentityMatchError
	if errors.As(err, &nm) {
		return nil, errNotForYou
	}
	if err != nil {
		return nil, fmt.Errorf("casebook: unable to decrypt: %w", err)
	}
	o, err := bundle.Read(plain, bundle.DefaultLimits, sink)
	if err != nil {
		return nil, fmt.Errorf("casebook: unable to read the bundle: %w", err)
	}
	if !o.IsBundle && (o.Truncated || !utf8.ValidString(o.Message) || strings.ContainsRune(o.Message, 0)) {
		o.Message = "[not a difesa message, and not text: not shown]"
	}
	return o, nil
}

// wholeBelow bounds the ciphertexts [plaintextOf] decrypts whole into
// memory; larger ones are streamed.
const wholeBelow = 1 << 20

// plaintextOf decrypts ct with ids. A small ciphertext (most reports) is
// decrypted whole, in place, into one buffer of its size: age's stream
// reader allocates two 64 KiB buffers for each file however small, and
// they were a quarter of what a first sync allocated. Either way every
// chunk is authenticated before any of its plaintext is read.
func plaintextOf(ct []byte, ids []age.Identity) (io.Reader, error) {
	if len(ct) >= wholeBelow {
		return age.Decrypt(bytes.NewReader(ct), ids...)
	}
	ra, n, err := age.DecryptReaderAt(bytes.NewReader(ct), int64(len(ct)), ids...)
	if err != nil {
		return nil, err
	}
	plain := make([]byte, n)
	if _, err := ra.ReadAt(plain, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return bytes.NewReader(plain), nil
}

// newEntry decrypts a submission into an entry; a failure is kept in the
// entry, not returned: the submission still shows, with why it cannot be
// read.
func newEntry(sub wire.Submission, seq uint64, chunks int, ct []byte, ids []age.Identity) *entry {
	e := &entry{sub: sub, seq: seq, chunks: chunks}
	files, o, err := decrypt(ct, ids)
	if err != nil {
		e.err = err.Error()
		return e
	}
	e.files, e.opened = files, o
	e.subject = subject(e)
	return e
}

// text is everything of the entry the search index takes.
func (e *entry) text() string {
	o := e.opened
	if o == nil {
		return ""
	}
	var b strings.Builder
	add := func(s string) { b.WriteString(s); b.WriteByte('\n') }
	add(o.Message)
	if r := o.Report; r != nil {
		add(r.Category)
		add(r.Narrative)
		add(r.When)
		add(r.Where)
		add(r.Who)
		add(r.Needs)
		add(r.Contact)
	}
	if f := o.Form; f != nil {
		add(string(f.Answers))
	}
	for _, f := range e.files {
		add(f.name)
	}
	return b.String()
}

// replyKey is the defender's reply recipient, or "".
func (e *entry) replyKey() string {
	if e.opened == nil || !e.opened.IsBundle || e.opened.Envelope == nil {
		return ""
	}
	return e.opened.Envelope.ReplyRecipient
}
