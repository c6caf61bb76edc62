package caseedit

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/wire"
)

// ErrNoMemberLeft means every responder of a restricted case left the
// hub's manifest: the case stays encrypted to their old keys.
var ErrNoMemberLeft = errors.New("no remaining member of the hub can read this restricted case: its responders all left the recipient list, and it stays encrypted to their old keys")

// RestrictionRecipients returns the recipients a case with restriction
// rs is encrypted to: the hub's verified recipients, or those of them
// the restriction names (docs/case-record.md, "Restricted cases"). A
// restriction none of whose keys is in the manifest any more has none:
// [ErrNoMemberLeft].
func RestrictionRecipients(v *client.Verified, rs *wire.Restriction) ([]age.Recipient, error) {
	if len(rs.Keys) == 0 {
		return v.Recipients, nil
	}
	var to []age.Recipient
	for _, r := range v.Manifest.Recipients {
		if slices.Contains(rs.Keys, r.Key) {
			rc, err := hub.ParseRecipient(r.Key)
			if err != nil {
				return nil, err
			}
			to = append(to, rc)
		}
	}
	if len(to) == 0 {
		return nil, ErrNoMemberLeft
	}
	return to, nil
}

// SealTo returns the recipients everything new of case id (its record, a
// reply in its conversation) must be encrypted to: the hub's verified
// recipients, or, for a restricted case, its responders who are in the
// verified manifest. It asks the hub for the case's restriction.
func SealTo(ctx context.Context, c *client.Client, v *client.Verified, id string) ([]age.Recipient, error) {
	rs, err := c.GetRestriction(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("reading the restriction of %s: %w", id, err)
	}
	return RestrictionRecipients(v, rs)
}
