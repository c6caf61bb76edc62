package cli

import (
	"context"
	"io"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/sealed"
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
func (b plainBundle) size() (int64, error) { return b.sealed().Size() }

// sendAgainIfAsked sends with send, and sends again when the hub asks for
// it (see [sealed.SendAgainIfAsked]), telling the user why and checking
// the hub's new signed list when its recipients changed. It returns the
// recipient list it used last.
func sendAgainIfAsked[T any](ctx context.Context, e *env, c *client.Client, pin string, v *client.Verified,
	send func(*client.Verified) (T, error)) (T, *client.Verified, error) {
	return sealed.SendAgainIfAsked(ctx, again(e, c, pin), v, send)
}

// again is how the commands send again: telling the user, and checking
// the hub's signed list as every command does.
func again(e *env, c *client.Client, pin string) sealed.Again {
	return sealed.Again{
		Notice: func(n sealed.Notice) {
			switch n.Kind {
			case sealed.NoticeBusy:
				e.printf("the hub is busy (%s); nothing was stored; sending again in %v", n.Code, n.Wait)
			case sealed.NoticePoW:
				e.printf("the hub asked for proof of work once the upload had begun; sending again")
			case sealed.NoticeRecipientsChanged:
				e.printf("the hub's recipients changed while sending (%s); checking its new signed list and sending again", n.Code)
			}
		},
		Verify: func(ctx context.Context) (*client.Verified, error) { return verifyHub(ctx, e, c, pin) },
	}
}

// encryptedUpload sends one encrypted bundle, declared as encrypted to
// epoch.
type encryptedUpload[T any] func(body io.Reader, epoch uint64) (T, error)

// sendBundle encrypts b to the hub's verified recipients v, plus extra, and
// uploads it with up, sending again when the hub asks ([sealed.Send]).
func sendBundle[T any](ctx context.Context, e *env, c *client.Client, pin string, v *client.Verified,
	extra []age.Recipient, b plainBundle, up encryptedUpload[T]) (T, *client.Verified, error) {
	return sealed.Send(ctx, again(e, c, pin), v, extra, b.sealed(), sealed.Upload[T](up), explainBundleError)
}

// sealed is b as internal/sealed takes it.
func (b plainBundle) sealed() sealed.Bundle {
	return sealed.Bundle{Env: b.env, Report: b.rep, Form: b.form, Files: b.files}
}
