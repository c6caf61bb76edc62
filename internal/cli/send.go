package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"filippo.io/age"
)

// plainBundle is what a command encrypts: envelope, report.json and files.
type plainBundle struct {
	env   bundle.Envelope
	rep   *bundle.Report
	files []bundle.Attachment
}

// encryptedUpload sends one encrypted bundle, declared as encrypted to
// epoch.
type encryptedUpload[T any] func(body io.Reader, epoch uint64) (T, error)

// sendBundle encrypts b to the hub's verified recipients v, plus extra, and
// uploads it with up. If the hub's recipients changed under the upload, it
// checks the hub's new signed list and sends once more. It returns the
// recipient list it used last.
func sendBundle[T any](ctx context.Context, e *env, c *client.Client, pin string, v *client.Verified,
	extra []age.Recipient, b plainBundle, up encryptedUpload[T]) (T, *client.Verified, error) {
	send := func(v *client.Verified) (T, error) {
		var zero T
		for _, f := range b.files {
			if s, ok := f.Body.(io.Seeker); ok {
				if _, err := s.Seek(0, io.SeekStart); err != nil {
					return zero, fmt.Errorf("reading %q again: %w", f.Name, err)
				}
			}
		}
		recipients := append(append([]age.Recipient(nil), v.Recipients...), extra...)
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() { done <- encryptBundle(pw, recipients, b.env, b.rep, b.files) }()
		res, err := up(pr, v.Epoch)
		pr.CloseWithError(errUploadEnded)
		if encErr := <-done; err != nil && encErr != nil && !uploadStopped(encErr) {
			return zero, explainBundleError(encErr)
		}
		return res, err
	}
	res, err := send(v)
	if errors.Is(err, client.ErrSendAgain) { // pow.go
		e.printf("the hub asked for proof of work once the upload had begun; sending again")
		res, err = send(v)
	}
	if code := epochChange(err); code != "" {
		e.printf("the hub's recipients changed while sending (%s); checking its new signed list and sending again", code)
		if v, err = verifyHub(ctx, e, c, pin); err != nil {
			return res, nil, err
		}
		res, err = send(v)
	}
	return res, v, err
}
