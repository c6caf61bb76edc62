package client

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

// maxRecipientsFile bounds the size of a hub's recipients.txt.
const maxRecipientsFile = 256 << 10

// ErrNoRecipients is returned by [Client.Recipients] when the hub lists no
// recipients: nobody could read a report encrypted to them.
var ErrNoRecipients = errors.New("the hub lists no recipients")

// Recipients fetches and parses the hub's public recipients
// (GET /hubs/ID/recipients.txt). Reports must be encrypted to all of them.
func (c *Client) Recipients(ctx context.Context) ([]age.Recipient, error) {
	u := c.base + "/hubs/" + url.PathEscape(c.hub) + "/recipients.txt"
	req, err := c.newRequest(ctx, "GET", u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/plain")
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxRecipientsFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading the hub's recipients: %w", err)
	}
	if len(data) > maxRecipientsFile {
		return nil, fmt.Errorf("the hub's recipients file is larger than %d bytes", maxRecipientsFile)
	}
	if strings.TrimSpace(stripComments(string(data))) == "" {
		return nil, ErrNoRecipients
	}
	rs, err := age.ParseRecipients(strings.NewReader(string(data)))
	if err != nil {
		return nil, fmt.Errorf("the hub's recipients file is not valid: %w", err)
	}
	if len(rs) == 0 {
		return nil, ErrNoRecipients
	}
	return rs, nil
}

func stripComments(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// Hub fetches the hub's public description (GET /api/v1/hubs/ID), which
// includes its size limit.
func (c *Client) Hub(ctx context.Context) (*wire.HubInfo, error) {
	var h wire.HubInfo
	if err := c.doJSON(ctx, "GET", c.apiURL(), nil, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// Submit uploads one age file (binary or armored) of the given kind
// ("report" if empty), encrypted to the hub's current recipients. The body
// is streamed with chunked encoding and never held in memory; it is read
// until EOF or error. If body returns an error, the upload is aborted and
// that error is returned.
func (c *Client) Submit(ctx context.Context, kind string, body io.Reader) (*wire.SubmissionCreated, error) {
	return c.SubmitEpoch(ctx, kind, 0, body)
}

// SubmitEpoch is [Client.Submit] for a file encrypted to the recipients of
// a given manifest epoch (POST …/submissions?epoch=N); 0 means the current
// one, as for Submit. A hub whose recipients changed since answers
// [wire.CodeStaleEpoch] (or [wire.CodeRecipientMismatch]): verify the new
// manifest, encrypt again and resend.
func (c *Client) SubmitEpoch(ctx context.Context, kind string, epoch uint64, body io.Reader) (*wire.SubmissionCreated, error) {
	q := url.Values{}
	if kind != "" {
		q.Set("kind", kind)
	}
	if epoch != 0 {
		q.Set("epoch", strconv.FormatUint(epoch, 10))
	}
	u := c.apiURL("submissions")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return c.submitTo(ctx, u, nil, body)
}

// OpenThread is [Client.SubmitEpoch] for a submission that opens a
// conversation: the hub keeps verifier, the verifier of the defender's
// thread token (codename.TokenVerifier), and later answers the thread
// endpoints to whoever presents the token. A codename that already has a
// conversation at the hub fails with [wire.CodeThreadExists].
func (c *Client) OpenThread(ctx context.Context, kind string, epoch uint64, verifier [32]byte, body io.Reader) (*wire.SubmissionCreated, error) {
	q := url.Values{}
	if kind != "" {
		q.Set("kind", kind)
	}
	if epoch != 0 {
		q.Set("epoch", strconv.FormatUint(epoch, 10))
	}
	u := c.apiURL("submissions")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	h := http.Header{}
	h.Set(wire.HeaderThreadVerifier, base64.RawURLEncoding.EncodeToString(verifier[:]))
	return c.submitTo(ctx, u, h, body)
}

// submitTo uploads an age file to u, with extra headers, and expects a
// [wire.SubmissionCreated].
func (c *Client) submitTo(ctx context.Context, u string, header http.Header, body io.Reader) (*wire.SubmissionCreated, error) {
	var created wire.SubmissionCreated
	if err := c.upload(ctx, "POST", u, header, body, &created); err != nil {
		return nil, err
	}
	if created.ID == "" {
		return nil, errors.New("unexpected answer from the hub after upload: no submission id")
	}
	return &created, nil
}

// withEpoch adds ?epoch=N to u unless epoch is 0.
func withEpoch(u string, epoch uint64) string {
	if epoch == 0 {
		return u
	}
	return u + "?epoch=" + strconv.FormatUint(epoch, 10)
}

// upload streams an age file to u, with extra headers, and decodes the
// JSON answer into out.
func (c *Client) upload(ctx context.Context, method, u string, header http.Header, body io.Reader, out any) error {
	// Hide the body's concrete type so net/http cannot guess a length and
	// always streams; remember the body's own error, which is more telling
	// than the transport's.
	er := &errReader{r: body}
	first := &heldBody{r: er}
	resp, err := c.sendBody(ctx, method, u, header, first, c.pow.take())
	if pe := (*PoWError)(nil); errors.As(err, &pe) {
		resp, err = c.againWithPoW(ctx, method, u, header, first, pe) // pow.go
	} else {
		first.done()
	}
	if ferr := er.failure(); ferr != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return ferr
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := decodeJSON(resp.Body, out); err != nil {
		return fmt.Errorf("unexpected answer from the hub after upload: %w", err)
	}
	return nil
}

// sendBody makes one attempt at an upload, with a solved proof of work if
// proof is not empty.
func (c *Client) sendBody(ctx context.Context, method, u string, header http.Header, body io.Reader, proof string) (*http.Response, error) {
	req, err := c.newRequest(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.ContentLength = -1
	req.Header.Set("Content-Type", wire.MediaTypeAge)
	req.Header.Set("Accept", "application/json")
	// Under load the hub refuses anonymous uploads before it reads the
	// body, for want of proof of work (pow.go): then the body is not sent
	// at all. Responders' uploads never need work, and skip the round trip;
	// so do urgent alerts, for which a round trip over Tor (about a second)
	// matters more than sending a small body twice under load.
	if c.token == "" && !isAlertUpload(u) {
		req.Header.Set("Expect", "100-continue")
	}
	if proof != "" {
		req.Header.Set(wire.HeaderPoW, proof)
	}
	return c.do(req)
}

// errReader remembers the first error of the wrapped reader. The transport
// may still be reading when the answer arrives, hence the lock. Close
// closes the wrapped reader if it can be closed, so that a writer feeding
// an [io.Pipe] is released when the transport gives up.
type errReader struct {
	r io.Reader

	mu  sync.Mutex
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil {
		e.mu.Lock()
		if e.err == nil {
			e.err = err
		}
		e.mu.Unlock()
	}
	return n, err
}

func (e *errReader) Close() error {
	if c, ok := e.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// failure returns the wrapped reader's first error other than io.EOF.
func (e *errReader) failure() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err == io.EOF {
		return nil
	}
	return e.err
}

// isAlertUpload reports whether u uploads an urgent alert.
func isAlertUpload(u string) bool {
	parsed, err := url.Parse(u)
	return err == nil && parsed.Query().Get("kind") == wire.KindAlert
}
