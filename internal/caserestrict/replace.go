package caserestrict

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"filippo.io/age"

	"difesa.org/difesa/internal/caseedit"
	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/sealed"
)

// ErrCannotDecrypt marks a blob that the identities cannot decrypt, or
// whose ciphertext is damaged; a [*DecryptError] carries it.
var ErrCannotDecrypt = errors.New("cannot decrypt")

// DecryptError says which blob could not be decrypted, and why.
type DecryptError struct {
	// ID is the submission's id, with " (case record)" for a case record.
	ID  string
	Err error
}

func (d *DecryptError) Error() string { return fmt.Sprintf("submission %s: %v", d.ID, d.Err) }

func (d *DecryptError) Unwrap() []error { return []error{ErrCannotDecrypt, d.Err} }

// Replace encrypts one submission again to `to` at epoch (a newer one,
// or, for a restricted case or one whose restriction was lifted, the same
// epoch with other recipients). The ciphertext is kept in a temporary
// file (mode 0600); the plaintext flows through a pipe from the decrypter
// to the encrypter to the upload, and never touches the disk.
func Replace(ctx context.Context, c *client.Client, id string, ids []age.Identity, epoch uint64, to []age.Recipient) error {
	tmp, err := os.CreateTemp("", "difesa-rekey-*.age")
	if err != nil {
		return fmt.Errorf("creating a temporary file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := c.Download(ctx, id, tmp); err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	plain, err := age.Decrypt(tmp, ids...)
	var nm *age.NoIdentityMatchError
	if errors.As(err, &nm) {
		return &DecryptError{ID: id, Err: errors.New("none of the identities can decrypt it")}
	}
	if err != nil {
		return &DecryptError{ID: id, Err: err}
	}
	pr, pw := io.Pipe()
	encErr := make(chan error, 1)
	go func() {
		src := &readFailure{r: plain}
		w, err := age.Encrypt(pw, to...)
		if err == nil {
			if _, err = io.Copy(w, src); src.err != nil {
				err = &DecryptError{ID: id, Err: fmt.Errorf("the ciphertext is damaged: %w", src.err)}
			} else if err == nil {
				err = w.Close()
			}
		}
		pw.CloseWithError(err)
		encErr <- err
	}()
	_, err = c.ReplaceCiphertext(ctx, id, epoch, pr)
	pr.CloseWithError(sealed.ErrUploadEnded)
	eerr := <-encErr
	if eerr != nil && !errors.Is(eerr, sealed.ErrUploadEnded) {
		return eerr
	}
	return err
}

// readFailure remembers a read error other than io.EOF, to tell a damaged
// ciphertext from an upload that stopped.
type readFailure struct {
	r   io.Reader
	err error
}

func (f *readFailure) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err != nil && err != io.EOF && f.err == nil {
		f.err = err
	}
	return n, err
}

// Reseal writes case id's record again, sealed to `to`, if it has one
// (and, unless always, if it was written to an epoch before epoch),
// retrying on colleagues' writes at most [caseedit.MaxWrites] times
// ([caseedit.ErrKeptChanging]). It reports whether it wrote.
func Reseal(ctx context.Context, c *client.Client, ids []age.Identity, id string, to []age.Recipient, epoch uint64, always bool) (bool, error) {
	for range caseedit.MaxWrites {
		f, err := c.GetCaseFile(ctx, id)
		if err != nil {
			return false, fmt.Errorf("reading the case record of %s: %w", id, err)
		}
		if f.Ciphertext == nil || !always && f.Epoch >= epoch {
			return false, nil
		}
		r, err := caserecord.Open(f.Ciphertext, ids...)
		if err != nil {
			return false, &DecryptError{ID: id + " (case record)", Err: err}
		}
		ct, err := caserecord.Seal(r, to)
		if err != nil {
			return false, fmt.Errorf("encrypting the case record of %s: %w", id, err)
		}
		_, err = c.PutCase(ctx, id, ct, f.Version)
		if errors.Is(err, client.ErrStaleVersion) {
			continue // a colleague wrote it meanwhile: read theirs and seal it again
		}
		if err != nil {
			return false, fmt.Errorf("writing the case record of %s: %w", id, err)
		}
		return true, nil
	}
	return false, fmt.Errorf("the case record of %s: %w", id, caseedit.ErrKeptChanging)
}
