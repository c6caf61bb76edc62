package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"difesa.org/difesa/internal/wire"
)

// UserAgent is the fixed, neutral User-Agent sent with every request, so
// that all difesa clients look alike.
const UserAgent = "difesa"

// maxJSONBody bounds the JSON answers the client is willing to read.
const maxJSONBody = 1 << 20

// Options configure a [Client]. The zero value is a direct connection.
type Options struct {
	// Proxy is the URL of a proxy to reach the hub through, such as
	// "socks5h://127.0.0.1:9050" for Tor. socks5, socks5h, http and https
	// proxies are supported; with SOCKS5 host names (and .onion addresses)
	// are resolved by the proxy. If empty, the ALL_PROXY (or all_proxy)
	// environment variable is used; if that is empty too, the client
	// connects directly.
	Proxy string

	// Transport, if set, replaces the client's transport, and Proxy and
	// ALL_PROXY are ignored. For tests.
	Transport http.RoundTripper
}

// Client is a connection to one hub. Its methods are safe for concurrent
// use, except [Client.Login] which must finish before the responder methods
// are called.
type Client struct {
	base  string // scheme://host[:port][/prefix]
	hub   string
	http  *http.Client
	token string
	pow   keptPoW // pow.go
}

// New returns a client for the hub at hubURL ("http://HOST:PORT/hubs/ID";
// see [ParseHubURL]).
func New(hubURL string, opts Options) (*Client, error) {
	base, hub, err := ParseHubURL(hubURL)
	if err != nil {
		return nil, err
	}
	rt := opts.Transport
	if rt == nil {
		proxy, err := proxyURL(opts.Proxy)
		if err != nil {
			return nil, err
		}
		rt = newTransport(proxy)
	}
	origin, _ := url.Parse(base)
	hc := &http.Client{
		Transport: rt,
		// No Jar: no cookies. No Timeout: uploads and downloads of large
		// files take as long as they take; the transport bounds each step
		// and callers cancel through the context.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			if req.URL.Scheme != origin.Scheme || req.URL.Host != origin.Host {
				return fmt.Errorf("refusing to follow a redirect to another host (%s)", req.URL.Redacted())
			}
			req.Header.Del("Referer")
			return nil
		},
	}
	return &Client{base: base, hub: hub, http: hc}, nil
}

// ErrBadProxy is wrapped by errors about the proxy URL.
var ErrBadProxy = errors.New("bad proxy URL")

func proxyURL(s string) (*url.URL, error) {
	source := "proxy"
	if s == "" {
		for _, name := range []string{"ALL_PROXY", "all_proxy"} {
			if v := os.Getenv(name); v != "" {
				s, source = v, name
				break
			}
		}
	}
	if s == "" {
		return nil, nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%w: %s %q: expected something like socks5h://127.0.0.1:9050", ErrBadProxy, source, s)
	}
	switch u.Scheme {
	case "socks5", "socks5h", "http", "https":
	default:
		return nil, fmt.Errorf("%w: %s %q: the scheme must be socks5h, socks5, http or https", ErrBadProxy, source, s)
	}
	return u, nil
}

func newTransport(proxy *url.URL) *http.Transport {
	dialer := &net.Dialer{Timeout: 60 * time.Second, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		DialContext:         dialer.DialContext,
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: 60 * time.Second,
		// The server answers an upload once it is on disk; give it time.
		ResponseHeaderTimeout: 5 * time.Minute,
		ExpectContinueTimeout: 1 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          4,
		// Ciphertext does not compress, and Accept-Encoding is one more
		// header to tell clients apart.
		DisableCompression: true,
	}
	if proxy != nil {
		t.Proxy = http.ProxyURL(proxy)
	}
	return t
}

// HubID returns the id of the client's hub.
func (c *Client) HubID() string { return c.hub }

// HubURL returns the hub's address as people write it.
func (c *Client) HubURL() string { return c.base + "/hubs/" + c.hub }

// apiURL returns the URL of an API endpoint of the hub; elem are path
// segments below /api/v1/hubs/ID, escaped here.
func (c *Client) apiURL(elem ...string) string {
	var b strings.Builder
	b.WriteString(c.base)
	b.WriteString("/api/v1/hubs/")
	b.WriteString(url.PathEscape(c.hub))
	for _, e := range elem {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(e))
	}
	return b.String()
}

// newRequest builds a request with the client's fixed headers.
func (c *Client) newRequest(ctx context.Context, method, u string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", UserAgent)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

// do sends req and turns a non-2xx answer into a [*wire.Error]. On success
// the caller must close the response body.
func (c *Client) do(req *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		// Drop net/http's "Get \"URL\": " prefix; keep what went wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, fmt.Errorf("connecting to %s: %w", req.URL.Host, ue.Err)
		}
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, decodeError(resp)
	}
	return resp, nil
}

// doJSON sends a request with an optional JSON body and decodes a JSON
// answer into out, if out is not nil.
func (c *Client) doJSON(ctx context.Context, method, u string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = strings.NewReader(string(b))
	}
	req, err := c.newRequest(ctx, method, u, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
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
		return fmt.Errorf("unexpected answer from the hub (%s %s): %w", method, req.URL.Path, err)
	}
	return nil
}

// decodeJSON decodes one bounded JSON value from r.
func decodeJSON(r io.Reader, out any) error {
	return json.NewDecoder(io.LimitReader(r, maxJSONBody)).Decode(out)
}

// decodeError reads an error answer. A body that is not the API's error
// shape (a proxy's error page, say) becomes a [*wire.Error] with a code
// derived from the status.
//
// A 429 or 503 answer with a Retry-After of seconds is wrapped in a
// [*RetryAfterError].
func decodeError(resp *http.Response) error {
	we, pw := decodeWireError(resp)
	if pw != nil && pw.Challenge != "" && resp.StatusCode == http.StatusTooManyRequests {
		return &PoWError{Err: we, PoW: *pw} // pow.go
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if secs, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && secs >= 0 {
			return &RetryAfterError{Err: we, After: time.Duration(secs) * time.Second}
		}
	}
	return we
}

func decodeWireError(resp *http.Response) (*wire.Error, *wire.PoW) {
	var body wire.ErrorBody
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err := json.Unmarshal(data, &body); err == nil && body.Error != nil && body.Error.Code != "" {
		body.Error.Status = resp.StatusCode
		return body.Error, body.PoW
	}
	msg := http.StatusText(resp.StatusCode)
	if msg == "" {
		msg = "unexpected answer"
	}
	return &wire.Error{
		Code:    codeForStatus(resp.StatusCode),
		Message: strings.ToLower(msg),
		Status:  resp.StatusCode,
	}, nil
}

// RetryAfterError is an answer that asks the client to wait (429
// too_many_requests, 503 unavailable) and says how long, in Retry-After.
// It unwraps to the [*wire.Error].
type RetryAfterError struct {
	Err   *wire.Error
	After time.Duration
}

func (e *RetryAfterError) Error() string { return e.Err.Error() }

// Unwrap returns the API error.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter returns how long the hub asked to wait before trying again,
// if err carries a Retry-After.
func RetryAfter(err error) (time.Duration, bool) {
	var re *RetryAfterError
	if errors.As(err, &re) {
		return re.After, true
	}
	return 0, false
}

func codeForStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return wire.CodeBadRequest
	case http.StatusUnauthorized:
		return wire.CodeUnauthorized
	case http.StatusForbidden:
		return wire.CodeForbidden
	case http.StatusNotFound:
		return wire.CodeNotFound
	case http.StatusMethodNotAllowed:
		return wire.CodeMethodNotAllowed
	case http.StatusRequestEntityTooLarge:
		return wire.CodeTooLarge
	case http.StatusUnsupportedMediaType:
		return wire.CodeUnsupportedType
	case http.StatusTooManyRequests:
		return wire.CodeTooManyRequests
	case http.StatusServiceUnavailable:
		return wire.CodeUnavailable
	case http.StatusInsufficientStorage:
		return wire.CodeStorageFull
	default:
		return wire.CodeInternal
	}
}
