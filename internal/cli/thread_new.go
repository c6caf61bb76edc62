package cli

import (
	"context"
	"fmt"
	"io"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/wire"
)

// newThread is the codename of the conversation a report or an alert
// opens, and the keys derived from it. A nil *newThread is a submission
// without a codename (-no-codename): nobody can answer it through the hub.
type newThread struct {
	name codename.Codename
	keys *codename.Keys
}

// startThread makes a codename for a new conversation at c's hub and puts
// its reply recipient in envl, unless none is asked for (then it returns
// nil). submit and alert both open their conversations here.
func startThread(c *client.Client, envl *bundle.Envelope, none bool) (*newThread, error) {
	if none {
		return nil, nil
	}
	name, err := codename.Generate()
	if err != nil {
		return nil, err
	}
	keys, err := codename.Derive(name, c.HubID())
	if err != nil {
		return nil, fmt.Errorf("deriving the keys of the codename: %w", err)
	}
	envl.ReplyRecipient = keys.Recipient
	return &newThread{name: name, keys: keys}, nil
}

// upload sends an encrypted submission of kind, opening the conversation
// with the codename's verifier when there is one.
func (n *newThread) upload(ctx context.Context, c *client.Client, kind string, epoch uint64, body io.Reader) (*wire.SubmissionCreated, error) {
	if n == nil {
		return c.SubmitEpoch(ctx, kind, epoch, body)
	}
	return c.OpenThread(ctx, kind, epoch, n.keys.Verifier, body)
}

// show prints the codename, once, after the submission was stored.
func (n *newThread) show(e *env, hubURL string) {
	if n != nil {
		showCodename(e, n.name, hubURL)
	}
}
