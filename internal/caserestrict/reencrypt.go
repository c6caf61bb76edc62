package caserestrict

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

// DefenderOf returns the reply key of the defender of the conversation
// that reply id belongs to: a reply is encrypted to them too.
type DefenderOf func(ctx context.Context, id string) (age.Recipient, error)

// Reencrypt encrypts again to `to` every blob of case id that is not yet
// encrypted to exactly them at v's epoch (the submission and the
// messages of its conversation; replies to the defender too), then its
// case record, and returns how many it wrote. A blob deleted meanwhile,
// or already current, is skipped.
func Reencrypt(ctx context.Context, c *client.Client, ids []age.Identity, v *client.Verified, id string, to []age.Recipient, defender DefenderOf) (int, error) {
	fp, err := Fingerprint(v.Epoch, to)
	if err != nil {
		return 0, err
	}
	subs, err := c.List(ctx)
	if err != nil {
		return 0, fmt.Errorf("listing submissions: %w", err)
	}
	moved := 0
	for _, s := range subs {
		if s.ID != id && s.Thread != id || s.Epoch == v.Epoch && s.Recipients == fp {
			continue
		}
		recipients := to
		if s.Kind == wire.KindReply {
			r, err := defender(ctx, s.ID)
			if err != nil {
				return moved, fmt.Errorf("reply %s: %w", s.ID, err)
			}
			recipients = append(slices.Clone(to), r)
		}
		err := Replace(ctx, c, s.ID, ids, v.Epoch, recipients)
		switch {
		case err == nil:
			moved++
		case errors.Is(err, &wire.Error{Code: wire.CodeAlreadyCurrent}), errors.Is(err, &wire.Error{Code: wire.CodeNotFound}):
		default:
			return moved, fmt.Errorf("encrypting %s again: %w", s.ID, err)
		}
	}
	done, err := Reseal(ctx, c, ids, id, to, v.Epoch, true)
	if done {
		moved++
	}
	return moved, err
}

// Fingerprint names a list of recipients as the hub does
// ([hub.RecipientSet.Fingerprint]).
func Fingerprint(epoch uint64, to []age.Recipient) (string, error) {
	strs := make([]string, 0, len(to))
	for _, r := range to {
		s, ok := r.(fmt.Stringer)
		if !ok {
			return "", fmt.Errorf("a recipient of type %T has no string", r)
		}
		strs = append(strs, s.String())
	}
	set, err := hub.NewRecipientSet(epoch, strs)
	if err != nil {
		return "", err
	}
	return set.Fingerprint(), nil
}
