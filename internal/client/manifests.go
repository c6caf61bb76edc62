package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

// Manifest fetches the hub's current signed manifest
// (GET /hubs/ID/manifest.json). It checks the transport form only: the
// signature and the chain are [Client.VerifiedRecipients]'s job.
func (c *Client) Manifest(ctx context.Context) (*manifest.Signed, error) {
	return c.getSigned(ctx, c.base+"/hubs/"+url.PathEscape(c.hub)+"/manifest.json")
}

// ManifestAt fetches the signed manifest of one epoch
// (GET /hubs/ID/manifests/EPOCH.json). Like [Client.Manifest], it does not
// verify it.
func (c *Client) ManifestAt(ctx context.Context, epoch uint64) (*manifest.Signed, error) {
	return c.getSigned(ctx, c.base+"/hubs/"+url.PathEscape(c.hub)+"/manifests/"+
		strconv.FormatUint(epoch, 10)+".json")
}

func (c *Client) getSigned(ctx context.Context, u string) (*manifest.Signed, error) {
	data, err := c.getSignedDoc(ctx, u, manifest.MaxSignedSize, "the hub's manifest")
	if err != nil {
		return nil, err
	}
	s, err := manifest.ParseSigned(data)
	if err != nil {
		p := u
		if pu, perr := url.Parse(u); perr == nil {
			p = pu.Path
		}
		return nil, fmt.Errorf("the hub's manifest (%s): %w", p, err)
	}
	return s, nil
}

// Manifests lists the hub's manifests, oldest first
// (GET /api/v1/hubs/ID/manifests).
func (c *Client) Manifests(ctx context.Context) (*wire.ManifestList, error) {
	var l wire.ManifestList
	if err := c.doJSON(ctx, "GET", c.apiURL("manifests"), nil, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// PublishManifest uploads a signed manifest (POST /api/v1/hubs/ID/manifests).
// No login is needed: the hub accepts it only if it is signed by the hub's
// admin key and follows the current manifest. Refusals come back as
// [*wire.Error] with the codes [wire.CodeBadSignature],
// [wire.CodeEpochNotNext], [wire.CodeBrokenChain], [wire.CodeWrongHub] or
// [wire.CodeBadManifest].
func (c *Client) PublishManifest(ctx context.Context, s *manifest.Signed) (*wire.ManifestPublished, error) {
	req, err := c.newRequest(ctx, "POST", c.apiURL("manifests"), bytes.NewReader(s.Marshal()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var p wire.ManifestPublished
	if err := decodeJSON(resp.Body, &p); err != nil {
		return nil, fmt.Errorf("unexpected answer from the hub after publishing: %w", err)
	}
	return &p, nil
}

// Epochs returns how many submissions are still addressed to each epoch
// (GET /api/v1/hubs/ID/epochs). It needs a login.
func (c *Client) Epochs(ctx context.Context) (*wire.EpochCounts, error) {
	if c.token == "" {
		return nil, ErrNotLoggedIn
	}
	var ec wire.EpochCounts
	if err := c.doJSON(ctx, "GET", c.apiURL("epochs"), nil, &ec); err != nil {
		return nil, err
	}
	return &ec, nil
}

// Audit returns the hub's whole audit log (GET /api/v1/hubs/ID/audit),
// read a page at a time with [Client.AuditPage]. It needs a login.
func (c *Client) Audit(ctx context.Context) (*wire.AuditLog, error) {
	all := &wire.AuditLog{}
	err := eachPage("", "audit log",
		func(cursor string) (*wire.AuditLog, error) { return c.AuditPage(ctx, cursor, 0) },
		func(p *wire.AuditLog) (string, int, bool) { return p.Next, len(p.Events), p.More },
		func(p *wire.AuditLog) error {
			all.Events, all.Next = append(all.Events, p.Events...), p.Next
			return nil
		})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// AuditPage returns up to limit events of the hub's audit log after
// cursor ("" from the start; limit 0 for the hub's default). It needs a
// login.
func (c *Client) AuditPage(ctx context.Context, cursor string, limit int) (*wire.AuditLog, error) {
	if c.token == "" {
		return nil, ErrNotLoggedIn
	}
	var l wire.AuditLog
	if err := c.doJSON(ctx, "GET", pageURL(c.apiURL("audit"), cursor, limit), nil, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// ReplaceCiphertext uploads a new age file for submission id, encrypted to
// the recipients of epoch, which must be the hub's current one
// (PUT /api/v1/hubs/ID/submissions/SID/ciphertext?epoch=N). The body is
// streamed like [Client.Submit]'s. A submission already at that epoch
// answers [wire.CodeAlreadyCurrent]. It needs a login.
func (c *Client) ReplaceCiphertext(ctx context.Context, id string, epoch uint64, body io.Reader) (*wire.Submission, error) {
	if c.token == "" {
		return nil, ErrNotLoggedIn
	}
	u := c.apiURL("submissions", id, "ciphertext") + "?" +
		url.Values{"epoch": {strconv.FormatUint(epoch, 10)}}.Encode()
	var s wire.Submission
	if err := c.upload(ctx, "PUT", u, nil, body, &s); err != nil {
		return nil, err
	}
	if s.ID == "" {
		return nil, fmt.Errorf("unexpected answer from the hub after replacing %s: no submission id", id)
	}
	return &s, nil
}
