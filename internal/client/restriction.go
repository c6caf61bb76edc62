package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"difesa.org/difesa/internal/wire"
)

// Restricted cases (docs/api.md, "Restricted cases"). The hub refuses
// everything of a case restricted to others with 404
// [wire.CodeRestricted]: match it with [IsRestricted].

// IsRestricted reports whether err is the hub's refusal of a case
// restricted to other responders.
func IsRestricted(err error) bool {
	return errors.Is(err, &wire.Error{Code: wire.CodeRestricted})
}

// GetRestriction returns the restriction of case id (GET
// …/submissions/ID/restriction): its version and keys, none if the case
// is not restricted.
func (c *Client) GetRestriction(ctx context.Context, id string) (*wire.Restriction, error) {
	if c.token == "" {
		return nil, ErrNotLoggedIn
	}
	var rs wire.Restriction
	if err := c.doJSON(ctx, "GET", c.apiURL("submissions", id, "restriction"), nil, &rs); err != nil {
		return nil, err
	}
	return &rs, nil
}

// Restrict restricts case id to the responders with keys (age recipient
// strings of the hub's current manifest, the caller's among them), if its
// restriction is still at version base (0: never set), and returns the
// new restriction (PUT …/submissions/ID/restriction). If someone changed
// it first it fails with a [*StaleVersionError]. The hub then refuses the
// case to everyone else; re-encrypting its blobs to keys is the caller's.
func (c *Client) Restrict(ctx context.Context, id string, keys []string, base uint64) (*wire.Restriction, error) {
	body, err := json.Marshal(wire.RestrictionChange{Keys: keys})
	if err != nil {
		return nil, err
	}
	return c.changeRestriction(ctx, "PUT", id, body, base)
}

// Unrestrict lifts the restriction of case id, if it is still at version
// base, and returns it (DELETE …/submissions/ID/restriction).
// Re-encrypting the case's blobs to the whole hub is the caller's.
func (c *Client) Unrestrict(ctx context.Context, id string, base uint64) (*wire.Restriction, error) {
	return c.changeRestriction(ctx, "DELETE", id, nil, base)
}

func (c *Client) changeRestriction(ctx context.Context, method, id string, body []byte, base uint64) (*wire.Restriction, error) {
	if c.token == "" {
		return nil, ErrNotLoggedIn
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := c.newRequest(ctx, method, c.apiURL("submissions", id, "restriction"), rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("If-Match", FormatVersion(base))
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, fmt.Errorf("connecting to %s: %w", req.URL.Host, ue.Err)
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusConflict {
		current, ok := ParseVersion(resp.Header.Get("ETag"))
		we, _ := decodeWireError(resp)
		if ok && we.Code == wire.CodeStaleVersion {
			return nil, &StaleVersionError{Current: current, Err: we}
		}
		return nil, we
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, decodeError(resp)
	}
	var rs wire.Restriction
	if err := decodeJSON(resp.Body, &rs); err != nil {
		return nil, fmt.Errorf("unexpected answer from the hub (%s %s): %w", method, req.URL.Path, err)
	}
	if rs.Version != base+1 {
		return nil, fmt.Errorf("unexpected answer from the hub (%s %s): version %d after %d", method, req.URL.Path, rs.Version, base)
	}
	return &rs, nil
}

// RestrictedCount returns how many of the hub's cases are restricted to
// responders other than the caller (the listing leaves them out and says
// only their number), and how many of those no responder of the hub's
// current manifest can read any more.
func (c *Client) RestrictedCount(ctx context.Context) (restricted, unreadable int, err error) {
	p, err := c.ListPage(ctx, "", 1)
	if err != nil {
		return 0, 0, err
	}
	return p.Restricted, p.Unreadable, nil
}

// CaseFile is a case record (or the hub record) as the hub keeps it.
type CaseFile struct {
	// Ciphertext is the age file; nil if there is no record yet.
	Ciphertext []byte
	// Version is the record's version, 0 if there is none.
	Version uint64
	// Epoch is the manifest epoch it was last written to (0: unknown).
	Epoch uint64
}

// GetCaseFile is [Client.GetCase] with the epoch the record was written
// to, which rekey needs.
func (c *Client) GetCaseFile(ctx context.Context, id string) (*CaseFile, error) {
	return c.getRecordFile(ctx, c.apiURL("submissions", id, "case"), wire.MaxCaseRecordSize)
}

// GetHubRecordFile is [Client.GetHubRecord] with the record's epoch.
func (c *Client) GetHubRecordFile(ctx context.Context) (*CaseFile, error) {
	return c.getRecordFile(ctx, c.apiURL("case-settings"), wire.MaxHubRecordSize)
}

func (c *Client) getRecordFile(ctx context.Context, u string, limit int) (*CaseFile, error) {
	var epoch uint64
	data, v, err := c.getRecordWith(ctx, u, limit, func(h http.Header) {
		epoch, _ = strconv.ParseUint(h.Get(wire.HeaderCaseEpoch), 10, 64)
	})
	if err != nil {
		return nil, err
	}
	return &CaseFile{Ciphertext: data, Version: v, Epoch: epoch}, nil
}
