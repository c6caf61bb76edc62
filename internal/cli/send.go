package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

// plainBundle is what a command encrypts: envelope, report.json (or, for
// a hub's own form, form.json and answers.json) and files.
type plainBundle struct {
	env   bundle.Envelope
	rep   *bundle.Report
	form  *bundle.FormAnswers
	files []bundle.Attachment
}

// size returns the plaintext size of b.
func (b plainBundle) size() (int64, error) {
	if b.form != nil {
		return bundle.SizeForm(b.env, b.form, b.files)
	}
	return bundle.Size(b.env, b.rep, b.files)
}

// A hub that is briefly busy (every upload slot taken: 503, or a short
// 429) says when to come back. Rather than hand a defender in a hurry an
// error, sendBundle waits that long and sends again, a few times, as long
// as each wait is short; a long one (a hub's hourly cap) is explained
// instead (hints.go).
const (
	busyRetries = 3
	maxBusyWait = 30 * time.Second
)

// sendAgainIfAsked sends with send, and sends again, each time with a
// fresh encryption, when the hub asks for it: it is briefly busy (after
// its Retry-After, a few times), it asked for proof of work once the body
// had begun to leave (pow.go), or its recipients changed under the upload
// (after checking its new signed list). It returns the recipient list it
// used last.
func sendAgainIfAsked[T any](ctx context.Context, e *env, c *client.Client, pin string, v *client.Verified,
	send func(*client.Verified) (T, error)) (T, *client.Verified, error) {
	res, err := send(v)
	for try := 0; try < busyRetries; try++ {
		wait, ok := client.RetryAfter(err)
		if !ok || wait > maxBusyWait {
			break
		}
		var we *wire.Error
		errors.As(err, &we)
		e.printf("the hub is busy (%s); nothing was stored; sending again in %v", we.Code, wait)
		select {
		case <-ctx.Done():
			return res, v, ctx.Err()
		case <-time.After(wait):
		}
		res, err = send(v)
	}
	if errors.Is(err, client.ErrSendAgain) {
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

// encryptedUpload sends one encrypted bundle, declared as encrypted to
// epoch.
type encryptedUpload[T any] func(body io.Reader, epoch uint64) (T, error)

// sendBundle encrypts b to the hub's verified recipients v, plus extra, and
// uploads it with up, sending again when the hub asks ([sendAgainIfAsked]).
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
		go func() { done <- encryptBundle(pw, recipients, b) }()
		res, err := up(pr, v.Epoch)
		pr.CloseWithError(errUploadEnded)
		if encErr := <-done; err != nil && encErr != nil && !uploadStopped(encErr) {
			return zero, explainBundleError(encErr)
		}
		return res, err
	}
	return sendAgainIfAsked(ctx, e, c, pin, v, send)
}
