package client

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"

	"difesa.org/difesa/internal/wire"
)

// ThreadToken is a defender's thread token, derived from their codename
// (codename.Derive). It is the defender's only credential for their
// conversation: it is sent in the Difesa-Thread-Token header and nowhere
// else, and never logged.
type ThreadToken [32]byte

func (t ThreadToken) header() http.Header {
	h := http.Header{}
	h.Set(wire.HeaderThreadToken, base64.RawURLEncoding.EncodeToString(t[:]))
	return h
}

// threadJSON sends a defender's request about their conversation.
func (c *Client) threadJSON(ctx context.Context, method, u string, t ThreadToken, out any) error {
	req, err := c.newRequest(ctx, method, u, nil)
	if err != nil {
		return err
	}
	for k, v := range t.header() {
		req.Header[k] = v
	}
	if out != nil {
		req.Header.Set("Accept", "application/json")
	}
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxJSONBody))
		return nil
	}
	if err := decodeJSON(resp.Body, out); err != nil {
		return errors.New("unexpected answer from the hub about the conversation: " + err.Error())
	}
	return nil
}

// Thread returns the defender's conversation (GET …/thread). An unknown
// token fails with [wire.CodeNoThread]; too many attempts at the hub with
// a [*RetryAfterError] of [wire.CodeTooManyRequests].
func (c *Client) Thread(ctx context.Context, t ThreadToken) (*wire.Thread, error) {
	var th wire.Thread
	if err := c.threadJSON(ctx, "GET", c.apiURL("thread"), t, &th); err != nil {
		return nil, err
	}
	return &th, nil
}

// DownloadMessage streams the ciphertext of message id of the defender's
// conversation into w (GET …/thread/messages/ID).
func (c *Client) DownloadMessage(ctx context.Context, t ThreadToken, id string, w io.Writer) (int64, error) {
	return c.download(ctx, c.apiURL("thread", "messages", id), t.header(), w)
}

// Followup adds a message of the defender to their conversation
// (POST …/thread/messages?epoch=N), an age file encrypted to the
// recipients of epoch (0: the current ones).
func (c *Client) Followup(ctx context.Context, t ThreadToken, epoch uint64, body io.Reader) (*wire.SubmissionCreated, error) {
	return c.submitTo(ctx, withEpoch(c.apiURL("thread", "messages"), epoch), t.header(), body)
}

// DeleteThread deletes the defender's whole conversation (DELETE …/thread).
func (c *Client) DeleteThread(ctx context.Context, t ThreadToken) error {
	return c.threadJSON(ctx, "DELETE", c.apiURL("thread"), t, nil)
}

// ResponderThread returns the conversation that submission id belongs to
// (GET …/threads/ID). A submission without one fails with
// [wire.CodeNoThread].
func (c *Client) ResponderThread(ctx context.Context, id string) (*wire.Thread, error) {
	if c.token == "" {
		return nil, ErrNotLoggedIn
	}
	var th wire.Thread
	if err := c.doJSON(ctx, "GET", c.apiURL("threads", id), nil, &th); err != nil {
		return nil, err
	}
	return &th, nil
}

// Reply adds a responder's reply to the conversation of submission id
// (POST …/threads/ID/replies?epoch=N). The age file must be encrypted to
// the recipients of epoch plus the defender's reply recipient, and nothing
// else.
func (c *Client) Reply(ctx context.Context, id string, epoch uint64, body io.Reader) (*wire.SubmissionCreated, error) {
	if c.token == "" {
		return nil, ErrNotLoggedIn
	}
	return c.submitTo(ctx, withEpoch(c.apiURL("threads", id, "replies"), epoch), nil, body)
}

// DeleteResponderThread deletes the whole conversation of submission id
// (DELETE …/threads/ID).
func (c *Client) DeleteResponderThread(ctx context.Context, id string) error {
	if c.token == "" {
		return ErrNotLoggedIn
	}
	return c.doJSON(ctx, "DELETE", c.apiURL("threads", id), nil, nil)
}
