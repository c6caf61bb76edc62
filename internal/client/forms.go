package client

import (
	"context"
	"fmt"
	"strconv"

	"difesa.org/difesa/internal/form"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

// PublishForm uploads a signed form (POST /api/v1/hubs/ID/forms). No login
// is needed: the hub accepts it only if its admin key signed it, and only
// if its version is newer than the one published. Refusals come back as
// [*wire.Error] with the form_* codes.
func (c *Client) PublishForm(ctx context.Context, s *wire.SignedForm) (*wire.FormInfo, error) {
	var info wire.FormInfo
	if err := c.doJSON(ctx, "POST", c.apiURL("forms"), s, &info); err != nil {
		return nil, err
	}
	if info.Version == 0 {
		return nil, fmt.Errorf("unexpected answer from the hub after publishing: no form version")
	}
	return &info, nil
}

// ListForms lists the latest version of each of the hub's forms. What the
// list says is not signed: use [Client.VerifiedForm] before showing a
// form's questions.
func (c *Client) ListForms(ctx context.Context) (*wire.FormList, error) {
	var l wire.FormList
	if err := c.doJSON(ctx, "GET", c.apiURL("forms"), nil, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// FetchForm fetches form id as served: the latest version (version 0) or
// the one asked for, decoded with [form.ParseSigned] but not verified.
func (c *Client) FetchForm(ctx context.Context, id string, version uint64) (*wire.SignedForm, error) {
	elem := []string{"forms", id}
	if version != 0 {
		elem = append(elem, strconv.FormatUint(version, 10))
	}
	body, err := c.getSignedDoc(ctx, c.apiURL(elem...), form.MaxSignedSize, fmt.Sprintf("form %q", id))
	if err != nil {
		return nil, err
	}
	s, err := form.ParseSigned(body)
	if err != nil {
		return nil, fmt.Errorf("the hub served form %q: %w", id, err)
	}
	return s, nil
}

// VerifiedForm is a form the hub's pinned admin key signed.
type VerifiedForm struct {
	Signed *wire.SignedForm
	Form   *form.Form
	// Hash is the SHA-256 of the signed bytes, which answers name.
	Hash string
	// Seen is what the pin file held before (zero the first time).
	Seen form.Seen
}

// VerifiedForm fetches the latest version of form id and checks it: signed
// by admin (the key pinned for this hub), for this hub and id, and not
// older than the highest version this computer has seen of it, nor that
// version with other bytes. It then remembers the version in the pin file
// (the hub must be pinned). Refusals wrap [form.ErrUnsigned],
// [form.ErrWrongHub], [form.ErrRollback] or [form.ErrConflict]: the
// defender must not send.
func (c *Client) VerifiedForm(ctx context.Context, pins *PinStore, admin manifest.PublicKey, id string) (*VerifiedForm, error) {
	s, err := c.FetchForm(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	f, err := form.VerifyFor(s, admin, c.HubID(), id)
	if err != nil {
		return nil, err
	}
	v := &VerifiedForm{Signed: s, Form: f, Hash: form.Hash(s.Form)}
	if v.Seen, err = pins.SeenForm(c.HubURL(), id); err != nil {
		return nil, err
	}
	if err := form.CheckSeen(f, v.Hash, v.Seen); err != nil {
		return nil, err
	}
	if err := pins.RecordForm(c.HubURL(), id, f.Version, v.Hash); err != nil {
		return nil, err
	}
	return v, nil
}

// FormVersion fetches version of form id, the one a bundle's answers name,
// and checks that admin signed it for this hub and that its bytes hash to
// hash ([form.ErrMismatch] otherwise). An older version is not a rollback
// here: it is what the defender was asked.
func (c *Client) FormVersion(ctx context.Context, admin manifest.PublicKey, id string, version uint64, hash string) (*VerifiedForm, error) {
	s, err := c.FetchForm(ctx, id, version)
	if err != nil {
		return nil, err
	}
	f, err := form.VerifyFor(s, admin, c.HubID(), id)
	if err != nil {
		return nil, err
	}
	v := &VerifiedForm{Signed: s, Form: f, Hash: form.Hash(s.Form)}
	if f.Version != version || v.Hash != hash {
		return nil, fmt.Errorf("%w: the hub served version %d (%s…) of form %q for version %d (%s…)", form.ErrMismatch, f.Version, v.Hash[:12], id, version, hash[:min(12, len(hash))])
	}
	return v, nil
}
