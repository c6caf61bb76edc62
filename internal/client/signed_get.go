package client

import (
	"context"
	"fmt"
	"io"
)

// getSignedDoc fetches the signed JSON document (a manifest, a form) at u
// and returns its bytes, at most limit+1 of them so that the caller's
// strict parser refuses an oversized one; what names it in errors.
func (c *Client) getSignedDoc(ctx context.Context, u string, limit int64, what string) ([]byte, error) {
	req, err := c.newRequest(ctx, "GET", u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	return body, nil
}
