package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"difesa.org/difesa/internal/wire"
)

// ErrNotLoggedIn is returned by the responder methods before a successful
// [Client.Login].
var ErrNotLoggedIn = errors.New("not logged in")

// ErrTruncated is returned by [Client.Download] when the connection ended
// before the whole file arrived.
var ErrTruncated = errors.New("the download was cut short")

// List returns every submission of the hub, in the order the hub lists
// them (by latest change), reading a page at a time with
// [Client.ListPage]: no answer is larger than a page, however large the
// inbox. A submission that changed while the pages were read is listed
// once, as it is now.
func (c *Client) List(ctx context.Context) ([]wire.Submission, error) {
	var out []wire.Submission
	at := map[string]int{} // id → index in out
	err := c.EachPage(ctx, "", func(page *wire.SubmissionList) error {
		for _, s := range page.Submissions {
			if i, ok := at[s.ID]; ok {
				out[i] = s // listed again further on: it changed meanwhile
				continue
			}
			at[s.ID] = len(out)
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// EachPage calls fn with each page of the hub's submissions whose latest
// change came after cursor ("" from the start), until the last. The last
// page's Next is the cursor to list later changes from.
func (c *Client) EachPage(ctx context.Context, cursor string, fn func(*wire.SubmissionList) error) error {
	return eachPage(cursor, "listing",
		func(cursor string) (*wire.SubmissionList, error) { return c.ListPage(ctx, cursor, 0) },
		func(p *wire.SubmissionList) (string, int, bool) {
			n := len(p.Submissions)
			if n == 0 && p.Restricted > 0 {
				n = 1 // a page of cases restricted to others only, left out
			}
			return p.Next, n, p.More
		},
		fn)
}

// ListPage returns one page of the hub's submissions whose latest change
// came after cursor ("" from the start), at most limit of them (0 for the
// hub's default, [wire.DefaultPageSize]; at most [wire.MaxPageSize]).
func (c *Client) ListPage(ctx context.Context, cursor string, limit int) (*wire.SubmissionList, error) {
	if c.token == "" {
		return nil, ErrNotLoggedIn
	}
	var l wire.SubmissionList
	if err := c.doJSON(ctx, "GET", pageURL(c.apiURL("submissions"), cursor, limit), nil, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// Download streams the ciphertext of submission id into w and returns the
// number of bytes written. A download shorter than the announced length
// fails with [ErrTruncated].
func (c *Client) Download(ctx context.Context, id string, w io.Writer) (int64, error) {
	if c.token == "" {
		return 0, ErrNotLoggedIn
	}
	return c.download(ctx, c.apiURL("submissions", id), nil, w)
}

// download streams the age file at u into w.
func (c *Client) download(ctx context.Context, u string, header http.Header, w io.Writer) (int64, error) {
	req, err := c.newRequest(ctx, "GET", u, nil)
	if err != nil {
		return 0, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", wire.MediaTypeAge)
	resp, err := c.do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return n, fmt.Errorf("%w after %d bytes", ErrTruncated, n)
		}
		return n, err
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return n, fmt.Errorf("%w: got %d of %d bytes", ErrTruncated, n, resp.ContentLength)
	}
	return n, nil
}

// SetStatus sets the triage status of submission id to one of
// [wire.StatusNew], [wire.StatusInProgress] or [wire.StatusClosed].
func (c *Client) SetStatus(ctx context.Context, id, status string) error {
	if c.token == "" {
		return ErrNotLoggedIn
	}
	return c.doJSON(ctx, "PUT", c.apiURL("submissions", id, "status"),
		&wire.StatusUpdate{Status: status}, nil)
}

// Delete removes submission id, ciphertext and all, from the hub.
func (c *Client) Delete(ctx context.Context, id string) error {
	if c.token == "" {
		return ErrNotLoggedIn
	}
	return c.doJSON(ctx, "DELETE", c.apiURL("submissions", id), nil, nil)
}
