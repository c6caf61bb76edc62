package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"difesa.org/difesa/internal/cap"
	"difesa.org/difesa/internal/wire"
)

// BulletinSignatureSize is the size of a bulletin's detached signature: a
// raw Ed25519 signature.
const BulletinSignatureSize = 64

// ErrBadBulletin is wrapped by [Client.FetchBulletin]'s errors about a
// document or signature of an impossible size: what the hub serves cannot
// be the bulletin its admin key signed.
var ErrBadBulletin = errors.New("malformed bulletin")

// Bulletin is one bulletin as served: a CAP 1.2 document's bytes and the
// detached signature the hub's admin key made of them. Neither is checked:
// that is the caller's job (manifest.PublicKey.VerifyDetached, then
// cap.Check).
type Bulletin struct {
	Seq       uint64
	Document  []byte
	Signature []byte
}

// PublishBulletin uploads a bulletin (POST /api/v1/hubs/ID/bulletins): doc
// is sent as is, with sig, the admin key's detached signature of it. No
// login is needed: the hub accepts it only if the signature is its admin
// key's. Refusals come back as [*wire.Error], with the bulletin_* codes of
// the server and of internal/cap.
func (c *Client) PublishBulletin(ctx context.Context, doc, sig []byte) (*wire.BulletinInfo, error) {
	var info wire.BulletinInfo
	up := wire.BulletinUpload{Document: doc, Signature: sig}
	if err := c.doJSON(ctx, "POST", c.apiURL("bulletins"), &up, &info); err != nil {
		return nil, err
	}
	if info.Seq == 0 {
		return nil, fmt.Errorf("unexpected answer from the hub after publishing: no bulletin number")
	}
	return &info, nil
}

// ListBulletins lists all the hub's bulletins, newest first
// (GET /api/v1/hubs/ID/bulletins), reading a page at a time with
// [Client.ListBulletinsPage]. What the list says is not signed: only the
// documents are.
func (c *Client) ListBulletins(ctx context.Context) (*wire.BulletinList, error) {
	all := &wire.BulletinList{}
	err := eachPage("", "bulletin list",
		func(cursor string) (*wire.BulletinList, error) { return c.ListBulletinsPage(ctx, cursor, 0) },
		func(p *wire.BulletinList) (string, int, bool) { return p.Next, len(p.Bulletins), p.More },
		func(p *wire.BulletinList) error {
			all.Bulletins, all.Next = append(all.Bulletins, p.Bulletins...), p.Next
			return nil
		})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// ListBulletinsPage returns up to limit of the hub's bulletins (0 for the
// hub's default), newest first, older than cursor ("" for the newest).
func (c *Client) ListBulletinsPage(ctx context.Context, cursor string, limit int) (*wire.BulletinList, error) {
	var l wire.BulletinList
	if err := c.doJSON(ctx, "GET", pageURL(c.apiURL("bulletins"), cursor, limit), nil, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// BulletinURLs returns the addresses of bulletin seq's document and
// signature (/hubs/ID/bulletins/SEQ.xml and .sig). The client builds them
// itself, like the manifests' addresses, rather than follow the ones the
// list gives.
func (c *Client) BulletinURLs(seq uint64) (doc, sig string) {
	u := c.base + "/hubs/" + url.PathEscape(c.hub) + "/bulletins/" + strconv.FormatUint(seq, 10)
	return u + ".xml", u + ".sig"
}

// FetchBulletin downloads bulletin seq's document (at most [cap.MaxSize]
// bytes) and signature (exactly [BulletinSignatureSize] bytes). It checks
// only their sizes.
func (c *Client) FetchBulletin(ctx context.Context, seq uint64) (*Bulletin, error) {
	docURL, sigURL := c.BulletinURLs(seq)
	doc, err := c.getBounded(ctx, docURL, cap.MaxSize)
	if err != nil {
		return nil, fmt.Errorf("fetching bulletin %d: %w", seq, err)
	}
	sig, err := c.getBounded(ctx, sigURL, BulletinSignatureSize)
	if err != nil {
		return nil, fmt.Errorf("fetching the signature of bulletin %d: %w", seq, err)
	}
	if len(sig) != BulletinSignatureSize {
		return nil, fmt.Errorf("%w: the signature of bulletin %d is %d bytes long, not %d", ErrBadBulletin, seq, len(sig), BulletinSignatureSize)
	}
	return &Bulletin{Seq: seq, Document: doc, Signature: sig}, nil
}

// getBounded fetches u and returns its body, refusing one over max bytes
// with [ErrBadBulletin].
func (c *Client) getBounded(ctx context.Context, u string, max int64) ([]byte, error) {
	req, err := c.newRequest(ctx, "GET", u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: the hub sent more than %d bytes", ErrBadBulletin, max)
	}
	return data, nil
}
