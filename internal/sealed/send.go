package sealed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/wire"
)

// A hub that is briefly busy (every upload slot taken: 503, or a short
// 429) says when to come back. Rather than hand a sender in a hurry an
// error, [SendAgainIfAsked] waits that long and sends again, a few times,
// as long as each wait is short; a long one (a hub's hourly cap) is the
// caller's to explain.
const (
	BusyRetries = 3
	MaxBusyWait = 30 * time.Second
)

// Again is what [SendAgainIfAsked] needs from its caller.
type Again struct {
	// Notice tells the user why the upload is sent again (nil: nothing
	// is said). The caller words it: the CLI in its own, translated
	// messages.
	Notice func(Notice)
	// Verify checks the hub's signed recipient list again, after the hub
	// said its recipients changed.
	Verify func(ctx context.Context) (*client.Verified, error)
}

// Notice is why an upload is sent again.
type Notice struct {
	Kind NoticeKind
	// Code is the hub's error code, for [NoticeBusy] and
	// [NoticeRecipientsChanged].
	Code string
	// Wait is how long the hub asked to wait, for [NoticeBusy].
	Wait time.Duration
}

// NoticeKind says why an upload is sent again.
type NoticeKind int

const (
	// NoticeBusy: the hub is briefly busy; nothing was stored; the upload
	// is sent again after Wait.
	NoticeBusy NoticeKind = iota + 1
	// NoticePoW: the hub asked for proof of work once the body had begun
	// to leave.
	NoticePoW
	// NoticeRecipientsChanged: the hub's recipients changed under the
	// upload; its new signed list is checked and the upload sent again.
	NoticeRecipientsChanged
)

func (a Again) notice(n Notice) {
	if a.Notice != nil {
		a.Notice(n)
	}
}

// SendAgainIfAsked sends with send, and sends again, each time with a
// fresh encryption, when the hub asks for it: it is briefly busy (after
// its Retry-After, a few times), it asked for proof of work once the body
// had begun to leave, or its recipients changed under the upload (after
// checking its new signed list with a.Verify). It returns the recipient
// list it used last.
func SendAgainIfAsked[T any](ctx context.Context, a Again, v *client.Verified,
	send func(*client.Verified) (T, error)) (T, *client.Verified, error) {
	res, err := send(v)
	for try := 0; try < BusyRetries; try++ {
		wait, ok := client.RetryAfter(err)
		if !ok || wait > MaxBusyWait {
			break
		}
		var we *wire.Error
		errors.As(err, &we)
		a.notice(Notice{Kind: NoticeBusy, Code: we.Code, Wait: wait})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return res, v, ctx.Err()
		case <-t.C:
		}
		res, err = send(v)
	}
	if errors.Is(err, client.ErrSendAgain) {
		a.notice(Notice{Kind: NoticePoW})
		res, err = send(v)
	}
	if code := EpochChange(err); code != "" {
		a.notice(Notice{Kind: NoticeRecipientsChanged, Code: code})
		if v, err = a.Verify(ctx); err != nil {
			return res, nil, err
		}
		res, err = send(v)
	}
	return res, v, err
}

// EpochChange returns the API error code of err if it says the hub's
// recipients changed under the upload, or "".
func EpochChange(err error) string {
	var we *wire.Error
	if errors.As(err, &we) {
		switch we.Code {
		case wire.CodeStaleEpoch, wire.CodeRecipientMismatch, wire.CodeUnknownEpoch:
			return we.Code
		}
	}
	return ""
}

// Upload sends one encrypted bundle, declared as encrypted to epoch.
type Upload[T any] func(body io.Reader, epoch uint64) (T, error)

// Send encrypts b to the hub's verified recipients v, plus extra, and
// uploads it with up, sending again when the hub asks
// ([SendAgainIfAsked]). explain, if not nil, turns an error of the
// encryption (a bundle too large, a file that cannot be read) into one
// for the user.
func Send[T any](ctx context.Context, a Again, v *client.Verified, extra []age.Recipient, b Bundle,
	up Upload[T], explain func(error) error) (T, *client.Verified, error) {
	if explain == nil {
		explain = func(err error) error { return fmt.Errorf("encrypting: %w", err) }
	}
	send := func(v *client.Verified) (T, error) {
		var zero T
		for _, f := range b.Files {
			if s, ok := f.Body.(io.Seeker); ok {
				if _, err := s.Seek(0, io.SeekStart); err != nil {
					return zero, fmt.Errorf("reading %q again: %w", f.Name, err)
				}
			}
		}
		recipients := append(append([]age.Recipient(nil), v.Recipients...), extra...)
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() { done <- Encrypt(pw, recipients, b) }()
		res, err := up(pr, v.Epoch)
		pr.CloseWithError(ErrUploadEnded)
		if encErr := <-done; err != nil && encErr != nil && !UploadStopped(encErr) {
			return zero, explain(encErr)
		}
		return res, err
	}
	return SendAgainIfAsked(ctx, a, v, send)
}
