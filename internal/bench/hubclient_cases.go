package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"

	"difesa.org/difesa/internal/wire"
)

// Token returns the bearer token of the last [HubClient.Login], for tests
// that send hand-made requests as the responder.
func (c *HubClient) Token() string { return c.token }

// GetCase reads the case record of submission id (after
// [HubClient.Login]): its age file and version. A submission without a
// record yet gives nil and 0.
func (c *HubClient) GetCase(ctx context.Context, id string) ([]byte, uint64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.api("/submissions/"+id+"/case"), nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		se := statusError(resp)
		if s, ok := se.(*StatusError); ok && s.Code == wire.CodeNoCase {
			return nil, 0, nil
		}
		return nil, 0, se
	}
	v, ok := wire.ParseVersion(resp.Header.Get("ETag"))
	if !ok {
		return nil, 0, &StatusError{Status: resp.StatusCode, Message: "a case record without a version in its ETag"}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, wire.MaxCaseRecordSize+1))
	if err != nil {
		return nil, 0, err
	}
	if n, err := strconv.Atoi(resp.Header.Get("Content-Length")); err != nil || n != len(body) {
		return nil, 0, &StatusError{Status: resp.StatusCode, Message: "a case record cut short"}
	}
	return body, v, nil
}

// PutCase replaces the case record of submission id with body if its
// version is base (0: it must not exist yet), and returns the new version.
// A stale base fails with a [*StatusError] of code stale_version.
func (c *HubClient) PutCase(ctx context.Context, id string, body []byte, base uint64) (uint64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.api("/submissions/"+id+"/case"), bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", wire.MediaTypeAge)
	req.Header.Set("If-Match", wire.FormatVersion(base))
	var rec wire.CaseRecord
	if err := c.do(req, http.StatusOK, &rec); err != nil {
		return 0, err
	}
	return rec.Version, nil
}
