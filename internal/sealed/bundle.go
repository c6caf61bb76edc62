package sealed

import (
	"errors"
	"fmt"
	"io"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
)

// Bundle is what a sender encrypts: envelope, report.json (or, for a
// hub's own form, form.json and answers.json) and files.
type Bundle struct {
	Env    bundle.Envelope
	Report *bundle.Report
	Form   *bundle.FormAnswers
	Files  []bundle.Attachment
}

// Size returns the plaintext size of b.
func (b Bundle) Size() (int64, error) {
	if b.Form != nil {
		return bundle.SizeForm(b.Env, b.Form, b.Files)
	}
	return bundle.Size(b.Env, b.Report, b.Files)
}

// TextReport is the report.json of a message that is only text, such as
// a reply.
func TextReport(text string) *bundle.Report {
	return &bundle.Report{Category: "other", Narrative: text}
}

// ErrUploadEnded stops the encryption when the upload stopped reading.
var ErrUploadEnded = errors.New("upload ended")

// Encrypt writes the bundle, encrypted to recipients, into pw and closes
// it with the outcome.
func Encrypt(pw *io.PipeWriter, recipients []age.Recipient, b Bundle) error {
	w, err := age.Encrypt(pw, recipients...)
	if err == nil {
		if b.Form != nil {
			_, err = bundle.WriteForm(w, b.Env, b.Form, b.Files)
		} else {
			_, err = bundle.Write(w, b.Env, b.Report, b.Files)
		}
		if err == nil {
			err = w.Close()
		}
	}
	pw.CloseWithError(err)
	return err
}

// UploadStopped reports whether an encryption into an upload's pipe ended
// because the upload stopped reading, so that the hub's answer, not the
// pipe's, says what happened. The client closes the pipe itself when the
// hub refuses an upload before reading its body, as it does under load
// (Expect: 100-continue); senders close it with [ErrUploadEnded].
func UploadStopped(encErr error) bool {
	return errors.Is(encErr, ErrUploadEnded) || errors.Is(encErr, io.ErrClosedPipe)
}

// ErrNoReplyRecipient is an opening report without the defender's reply
// recipient.
var ErrNoReplyRecipient = errors.New("the defender left no codename; they cannot receive replies")

// ReplyRecipient returns the defender's reply recipient from the opening
// message of a conversation, decrypted.
func ReplyRecipient(o *bundle.Opened) (*age.HybridRecipient, error) {
	if o == nil || !o.IsBundle || o.Envelope == nil || o.Envelope.ReplyRecipient == "" {
		return nil, ErrNoReplyRecipient
	}
	r, err := age.ParseHybridRecipient(o.Envelope.ReplyRecipient)
	if err != nil { // bundle.Read checked it; never here
		return nil, fmt.Errorf("the defender's reply recipient: %w", err)
	}
	return r, nil
}
