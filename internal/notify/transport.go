package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"golang.org/x/net/proxy"
)

// Limits on outbound requests.
const (
	// DefaultTimeout bounds one delivery attempt, connection included
	// (Tor circuits can take a while).
	DefaultTimeout = 30 * time.Second
	// maxResponse is how much of a receiver's answer is read, for the
	// error message; the rest is dropped.
	maxResponse  = 4 << 10
	maxRedirects = 3
)

// network is how one channel reaches the outside: directly or through a
// SOCKS5 proxy (names resolved by the proxy), with the system's or a
// configured set of certificate authorities.
type network struct {
	proxy   *url.URL
	roots   *x509.CertPool
	timeout time.Duration
}

func newNetwork(c ChannelConfig, defaultProxy string, timeout time.Duration) (*network, error) {
	n := &network{timeout: timeout}
	p := c.Proxy
	if p == "" {
		p = defaultProxy
	}
	if p != "" && p != "none" {
		u, err := parseProxy(p)
		if err != nil {
			return nil, fmt.Errorf("proxy: %w", err)
		}
		n.proxy = u
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		n.roots = x509.NewCertPool()
		if !n.roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file: %s holds no PEM certificate", c.CAFile)
		}
	}
	return n, nil
}

func (n *network) tlsConfig(serverName string) *tls.Config {
	return &tls.Config{ServerName: serverName, RootCAs: n.roots, MinVersion: tls.VersionTLS12}
}

// dial connects to addr, through the proxy if there is one. The proxy
// resolves names: nothing is looked up locally.
func (n *network) dial(ctx context.Context, netw, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: n.timeout}
	if n.proxy == nil {
		return d.DialContext(ctx, netw, addr)
	}
	pd, err := proxy.FromURL(n.proxy, d)
	if err != nil {
		return nil, err
	}
	return pd.(proxy.ContextDialer).DialContext(ctx, netw, addr)
}

// httpClient returns a client that never follows a redirect to another
// host or to plain http, reads no proxy settings from the environment, and
// gives up after the network's timeout.
func (n *network) httpClient() *http.Client {
	t := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: n.timeout}).DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: n.roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   n.timeout,
		ResponseHeaderTimeout: n.timeout,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   2,
		ForceAttemptHTTP2:     true,
	}
	if n.proxy != nil {
		t.Proxy = http.ProxyURL(n.proxy) // net/http speaks socks5h itself
	}
	return &http.Client{
		Transport:     t,
		Timeout:       n.timeout,
		CheckRedirect: sameHostRedirects,
	}
}

// ErrRedirect is returned when a receiver redirects to another host (or
// from https to http): a notification goes only where it was configured.
var ErrRedirect = errors.New("notify: redirect to another host refused")

func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("notify: more than %d redirects", maxRedirects)
	}
	first := via[0].URL
	if req.URL.Host != first.Host || (first.Scheme == "https" && req.URL.Scheme != "https") {
		return ErrRedirect
	}
	return nil
}

// StatusError is a receiver's non-2xx answer.
type StatusError struct {
	Code int
	// Body is the first line of the answer's body, at most 200 bytes.
	Body string
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("receiver answered %d %s", e.Code, http.StatusText(e.Code))
	}
	return fmt.Sprintf("receiver answered %d %s: %s", e.Code, http.StatusText(e.Code), e.Body)
}

// post sends req and turns anything but a 2xx answer into a [*StatusError].
// At most maxResponse bytes of the answer are read.
func post(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return &StatusError{Code: resp.StatusCode, Body: firstLine(b)}
}

func firstLine(b []byte) string {
	s := string(b)
	for i, r := range s {
		if r == '\n' || r == '\r' {
			s = s[:i]
			break
		}
	}
	if len(s) > 200 {
		s = s[:200]
	}
	// Printable only: this ends up in logs and terminals.
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			r = '?'
		}
		out = append(out, r)
	}
	return string(out)
}
