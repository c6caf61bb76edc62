package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"difesa.org/difesa/internal/wire"
)

// ErrStaleVersion is matched (errors.Is) by the [*StaleVersionError] of a
// case record write that named a version other than the record's current
// one: someone else wrote first. Fetch the record again, merge, retry.
var ErrStaleVersion = errors.New("the case record changed meanwhile")

// StaleVersionError is a write refused with 409 [wire.CodeStaleVersion].
// Current is the record's version now (0: it does not exist).
type StaleVersionError struct {
	Current uint64
	Err     *wire.Error
}

func (e *StaleVersionError) Error() string {
	return fmt.Sprintf("%v: the hub has version %d", ErrStaleVersion, e.Current)
}

// Is matches [ErrStaleVersion].
func (e *StaleVersionError) Is(target error) bool { return target == ErrStaleVersion }

// Unwrap returns the API error.
func (e *StaleVersionError) Unwrap() error { return e.Err }

// GetCase returns the case record of submission id: its age ciphertext
// and version (GET …/submissions/ID/case). A submission without a case
// record yet gives nil, 0 and no error; an unknown one fails with
// [wire.CodeNotFound].
func (c *Client) GetCase(ctx context.Context, id string) ([]byte, uint64, error) {
	return c.getRecord(ctx, c.apiURL("submissions", id, "case"), wire.MaxCaseRecordSize)
}

// PutCase replaces the case record of submission id with ciphertext, an
// age file encrypted to the hub's current recipients, if its version is
// still baseVersion (0: the record must not exist yet), and returns the
// new version (PUT …/submissions/ID/case). If someone wrote first it
// fails with a [*StaleVersionError] carrying the current version.
func (c *Client) PutCase(ctx context.Context, id string, ciphertext []byte, baseVersion uint64) (uint64, error) {
	return c.putRecord(ctx, c.apiURL("submissions", id, "case"), ciphertext, baseVersion)
}

// GetHubRecord returns the hub record (its labels and sub-statuses,
// encrypted like a case record) and its version (GET …/case-settings). A
// hub without one yet gives nil, 0 and no error.
func (c *Client) GetHubRecord(ctx context.Context) ([]byte, uint64, error) {
	return c.getRecord(ctx, c.apiURL("case-settings"), wire.MaxHubRecordSize)
}

// PutHubRecord replaces the hub record as [Client.PutCase] replaces a
// case record (PUT …/case-settings).
func (c *Client) PutHubRecord(ctx context.Context, ciphertext []byte, baseVersion uint64) (uint64, error) {
	return c.putRecord(ctx, c.apiURL("case-settings"), ciphertext, baseVersion)
}

func (c *Client) getRecord(ctx context.Context, u string, limit int) ([]byte, uint64, error) {
	return c.getRecordWith(ctx, u, limit, nil)
}

// getRecordWith is getRecord, telling header (if not nil) the answer's
// headers.
func (c *Client) getRecordWith(ctx context.Context, u string, limit int, header func(http.Header)) ([]byte, uint64, error) {
	if c.token == "" {
		return nil, 0, ErrNotLoggedIn
	}
	req, err := c.newRequest(ctx, "GET", u, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", wire.MediaTypeAge)
	resp, err := c.do(req)
	if err != nil {
		if errors.Is(err, &wire.Error{Code: wire.CodeNoCase}) {
			return nil, 0, nil
		}
		return nil, 0, err
	}
	defer resp.Body.Close()
	if header != nil {
		header(resp.Header)
	}
	v, ok := ParseVersion(resp.Header.Get("ETag"))
	if !ok || v == 0 {
		return nil, 0, fmt.Errorf("unexpected answer from the hub (GET %s): no version in ETag", req.URL.Path)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if err != nil {
		return nil, 0, fmt.Errorf("unable to read the case record: %w", err)
	}
	if len(data) > limit {
		return nil, 0, fmt.Errorf("unexpected answer from the hub (GET %s): a record over %d bytes", req.URL.Path, limit)
	}
	if resp.ContentLength >= 0 && int64(len(data)) != resp.ContentLength {
		return nil, 0, fmt.Errorf("%w: got %d of %d bytes", ErrTruncated, len(data), resp.ContentLength)
	}
	return data, v, nil
}

func (c *Client) putRecord(ctx context.Context, u string, ciphertext []byte, base uint64) (uint64, error) {
	if c.token == "" {
		return 0, ErrNotLoggedIn
	}
	req, err := c.newRequest(ctx, "PUT", u, bytes.NewReader(ciphertext))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", wire.MediaTypeAge)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("If-Match", FormatVersion(base))
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return 0, fmt.Errorf("connecting to %s: %w", req.URL.Host, ue.Err)
		}
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusConflict {
		current, ok := ParseVersion(resp.Header.Get("ETag"))
		we, _ := decodeWireError(resp)
		if ok && we.Code == wire.CodeStaleVersion {
			return 0, &StaleVersionError{Current: current, Err: we}
		}
		return 0, we
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return 0, decodeError(resp)
	}
	var rec wire.CaseRecord
	if err := decodeJSON(resp.Body, &rec); err != nil {
		return 0, fmt.Errorf("unexpected answer from the hub (PUT %s): %w", req.URL.Path, err)
	}
	if rec.Version != base+1 {
		return 0, fmt.Errorf("unexpected answer from the hub (PUT %s): version %d after %d", req.URL.Path, rec.Version, base)
	}
	return rec.Version, nil
}

// FormatVersion writes a case record version as the strong ETag the API
// uses: "VERSION" ([wire.FormatVersion]).
func FormatVersion(v uint64) string { return wire.FormatVersion(v) }

// ParseVersion reads a strong ETag "VERSION" ([wire.ParseVersion]).
func ParseVersion(s string) (uint64, bool) { return wire.ParseVersion(s) }
