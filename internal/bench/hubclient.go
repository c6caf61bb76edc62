package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"

	"difesa.org/difesa/internal/wire"
)

// HubClient talks to one hub of a difesa server over plain HTTP. It does
// the least a load or crash test needs and nothing clever (no retries, no
// proxies), so that what it measures is the server.
type HubClient struct {
	// Base is the server's base URL, e.g. http://127.0.0.1:8080.
	Base string
	// Hub is the hub's id.
	Hub string
	// HTTP sends the requests.
	HTTP *http.Client

	token string
}

// NewHubClient returns a client for the hub at hubURL
// ("http://HOST:PORT/hubs/ID") that keeps up to conns connections open.
func NewHubClient(hubURL string, conns int) (*HubClient, error) {
	base, hub, ok := strings.Cut(hubURL, "/hubs/")
	if !ok || hub == "" || strings.Contains(hub, "/") {
		return nil, fmt.Errorf("bench: %q is not a hub address (http://HOST:PORT/hubs/ID)", hubURL)
	}
	return &HubClient{Base: base, Hub: hub, HTTP: &http.Client{Transport: NewTransport(conns)}}, nil
}

// NewTransport returns a loopback HTTP/1.1 transport that keeps up to conns
// connections open.
func NewTransport(conns int) *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
}

// StatusError is an answer other than the one expected.
type StatusError struct {
	Status  int
	Code    string
	Message string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

func statusError(resp *http.Response) error {
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body)
	return &StatusError{Status: resp.StatusCode, Code: body.Error.Code, Message: body.Error.Message}
}

func (c *HubClient) api(path string) string { return c.Base + "/api/v1/hubs/" + c.Hub + path }

// do sends req and decodes a JSON answer into out if the status is want.
func (c *HubClient) do(req *http.Request, want int, out any) error {
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		return statusError(resp)
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(out)
}

func (c *HubClient) postJSON(ctx context.Context, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.api(path), bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(req, http.StatusOK, out)
}

// Recipients fetches the hub's recipients.
func (c *HubClient) Recipients(ctx context.Context) ([]age.Recipient, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+"/hubs/"+c.Hub+"/recipients.txt", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, statusError(resp)
	}
	return age.ParseRecipients(io.LimitReader(resp.Body, 1<<20))
}

// Submit uploads one age file. size is the body's length, or -1 to stream
// it with chunked encoding. It returns the server's answer to a 201 and a
// [*StatusError] for any other status.
func (c *HubClient) Submit(ctx context.Context, body io.Reader, size int64) (wire.SubmissionCreated, error) {
	var created wire.SubmissionCreated
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.api("/submissions"), body)
	if err != nil {
		return created, err
	}
	req.ContentLength = size
	if size == 0 {
		req.Body = http.NoBody
	}
	req.Header.Set("Content-Type", wire.MediaTypeAge)
	err = c.do(req, http.StatusCreated, &created)
	return created, err
}

// Login proves possession of identity, whose public key is recipient, and
// keeps the bearer token for the responder methods.
func (c *HubClient) Login(ctx context.Context, identity age.Identity, recipient string) error {
	var ch wire.Challenge
	if err := c.postJSON(ctx, "/auth/challenge", wire.ChallengeRequest{Recipient: recipient}, &ch); err != nil {
		return fmt.Errorf("bench: login challenge: %w", err)
	}
	r, err := age.Decrypt(armor.NewReader(strings.NewReader(ch.Ciphertext)), identity)
	if err != nil {
		return fmt.Errorf("bench: login challenge: %w", err)
	}
	secret, err := io.ReadAll(io.LimitReader(r, 1024))
	if err != nil {
		return fmt.Errorf("bench: login challenge: %w", err)
	}
	var tok wire.Token
	req := wire.TokenRequest{ID: ch.ID, Response: base64.RawURLEncoding.EncodeToString(secret)}
	if err := c.postJSON(ctx, "/auth/token", req, &tok); err != nil {
		return fmt.Errorf("bench: login token: %w", err)
	}
	c.token = tok.Token
	return nil
}

// List returns the hub's submissions (after [HubClient.Login]), reading
// every page of the listing.
func (c *HubClient) List(ctx context.Context) ([]wire.Submission, error) {
	var all []wire.Submission
	cursor := ""
	for {
		u := c.api("/submissions")
		if cursor != "" {
			u += "?after=" + url.QueryEscape(cursor)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		var page wire.SubmissionList
		if err := c.do(req, http.StatusOK, &page); err != nil {
			return all, err
		}
		all = append(all, page.Submissions...)
		if !page.More || page.Next == cursor {
			return all, nil
		}
		cursor = page.Next
	}
}

// Download opens a submission's ciphertext (after [HubClient.Login]). The
// caller closes the body; it ends early if the server cut the transfer.
func (c *HubClient) Download(ctx context.Context, id string) (io.ReadCloser, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.api("/submissions/"+id), nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, 0, statusError(resp)
	}
	n, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64)
	if err != nil {
		resp.Body.Close()
		return nil, 0, fmt.Errorf("bench: download without a Content-Length")
	}
	return resp.Body, n, nil
}

// Delete removes a submission (after [HubClient.Login]).
func (c *HubClient) Delete(ctx context.Context, id string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.api("/submissions/"+id), nil)
	if err != nil {
		return err
	}
	return c.do(req, http.StatusNoContent, nil)
}
