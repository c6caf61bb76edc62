package casebook

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"filippo.io/age"

	"difesa.org/difesa/internal/caseedit"
	"difesa.org/difesa/internal/caserestrict"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/sealed"
	"difesa.org/difesa/internal/wire"
)

// Restricted cases (docs/desk.md, "Restricted cases"). A member of a
// restricted case reads and edits it as any other, and everything the
// desk writes in it is encrypted to its members only. A case restricted
// to others is dropped from the local copy (its messages, index entries
// and case record) at the next sync, when the hub's count of cases
// restricted to others changes, or as soon as the hub answers
// `404 restricted` about it: anything that outlives a grant dies with it.

// ErrRestrictionChanged means a colleague changed the case's restriction
// meanwhile: look at the case again and decide again.
var ErrRestrictionChanged = errors.New("casebook: someone changed the restriction of the case meanwhile")

// Restriction is what a member's desk knows of a case's restriction.
type Restriction struct {
	// On is set for a restricted case.
	On bool
	// Members are the labels, in the hub's verified manifest, of the
	// responders who may read it; Gone counts its keys no longer in the
	// manifest. Both are empty until the desk has asked the hub.
	Members []string
	Gone    int
}

// restrictState is what a hub says of restrictions, under the Book's
// mutex.
type restrictState struct {
	known                  bool
	restricted, unreadable int
	cases                  map[string]caseRestriction
}

// caseRestriction is a member's copy of a case's restriction, with the
// recipients fingerprint and epoch of its opening message when it was
// read: a change of either reads it again.
type caseRestriction struct {
	Restriction
	recipients string
	epoch      uint64
}

// Restricted returns how many cases the hubs restricted to other
// responders (the listing counts them and leaves them out), and how many
// of those no responder of their hub's current manifest can read.
func (b *Book) Restricted() (restricted, unreadable int) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, h := range b.hubs {
		restricted += h.restr.restricted
		unreadable += h.restr.unreadable
	}
	return restricted, unreadable
}

// restrictionOf is the restriction of case id of hub as the desk knows
// it. The caller holds b.mu.
func (b *Book) restrictionOfLocked(hub string, k *kase) Restriction {
	if !k.root.sub.Restricted {
		return Restriction{}
	}
	for _, h := range b.hubs {
		if h.id == hub {
			if cr, ok := h.restr.cases[k.root.sub.ID]; ok {
				return cr.Restriction
			}
		}
	}
	return Restriction{On: true}
}

// syncRestrictions reads the hub's count of cases restricted to others
// and reports whether it changed since the last sync (a case may have
// been restricted away from this responder: the caller lists everything
// again and forgets what is no longer listed). It then reads the
// restriction of the member's restricted cases whose blobs changed.
func (b *Book) syncRestrictions(ctx context.Context, h *hubConn, c *client.Client) (bool, error) {
	n, unreadable, err := c.RestrictedCount(ctx)
	if err != nil {
		return false, err
	}
	b.mu.Lock()
	changed := h.restr.known && (n != h.restr.restricted || unreadable != h.restr.unreadable)
	h.restr.known, h.restr.restricted, h.restr.unreadable = true, n, unreadable
	var todo []wire.Submission
	for _, e := range b.models[h.id].entries {
		if !e.sub.Restricted || e.sub.Thread != "" && e.sub.Thread != e.sub.ID {
			continue
		}
		if cr, ok := h.restr.cases[e.sub.ID]; ok && cr.recipients == e.sub.Recipients && cr.epoch == e.sub.Epoch {
			continue
		}
		todo = append(todo, e.sub)
	}
	b.mu.Unlock()
	if changed {
		b.logf("casebook: hub %s: the count of restricted cases changed; listing everything again", h.id)
	}
	if len(todo) == 0 {
		return changed, nil
	}
	v, err := h.verifyForRead(ctx, c)
	if err != nil {
		if unreachable(err) {
			return changed, err
		}
		b.logf("casebook: hub %s: the recipient list does not verify; the members of restricted cases stay unnamed", h.id)
		return changed, nil
	}
	for _, s := range todo {
		rs, err := c.GetRestriction(ctx, s.ID)
		if client.IsRestricted(err) {
			if err := b.dropCase(h, s.ID); err != nil {
				return changed, err
			}
			continue
		}
		if err != nil {
			if unreachable(err) {
				return changed, err
			}
			b.logf("casebook: hub %s: a case's restriction could not be read (%s)", h.id, errorCode(err))
			continue
		}
		b.keepRestriction(h, s, v, rs)
	}
	return changed, nil
}

// keepRestriction keeps a member's copy of case s's restriction rs.
func (b *Book) keepRestriction(h *hubConn, s wire.Submission, v *client.Verified, rs *wire.Restriction) {
	cr := caseRestriction{recipients: s.Recipients, epoch: s.Epoch}
	cr.On = len(rs.Keys) > 0
	for _, k := range rs.Keys {
		label := ""
		for _, r := range v.Manifest.Recipients {
			if r.Key == k {
				label = r.Label
			}
		}
		if label == "" {
			cr.Gone++
			continue
		}
		cr.Members = append(cr.Members, label)
	}
	slices.Sort(cr.Members)
	b.mu.Lock()
	defer b.mu.Unlock()
	if h.restr.cases == nil {
		h.restr.cases = map[string]caseRestriction{}
	}
	h.restr.cases[s.ID] = cr
	b.notifyLocked([]Change{{Hub: h.id, ID: s.ID, Kind: s.Kind}})
}

// dropCase forgets every message of case root of h, its index entries
// and its case record, from the vault and from memory: the hub refuses
// it to this responder now.
func (b *Book) dropCase(h *hubConn, root string) error {
	gone, err := b.forgetWhere(h, func(_ string, e *entry) bool {
		return e.sub.ID == root || e.sub.Thread == root || b.models[h.id].rootOf(e) == root
	})
	if err != nil {
		return err
	}
	b.mu.Lock()
	delete(h.restr.cases, root)
	b.notifyLocked([]Change{{Hub: h.id, ID: root, Kind: KindGone}})
	b.mu.Unlock()
	if gone > 0 {
		b.logf("casebook: hub %s: a case is restricted to other responders; its local copy is forgotten", h.id)
	}
	return nil
}

// KindGone is the kind of the [Change] of a case the desk forgot because
// the hub restricted it to others.
const KindGone = "gone"

// refused handles an action's refusal: a case restricted to others is
// dropped and answers as an unknown case ([ErrNotFound]).
func (b *Book) refused(h *hubConn, id string, err error) error {
	if !client.IsRestricted(err) {
		return nil
	}
	if derr := b.dropCase(h, id); derr != nil {
		return derr
	}
	return fmt.Errorf("%w: no case %q on hub %q", ErrNotFound, id, h.id)
}

// restrictedTo returns v, or, if case id is restricted, a copy of v
// whose recipients are the case's members in v's manifest: what is
// written in the case is encrypted to ([caseedit.SealTo]).
func restrictedTo(ctx context.Context, c *client.Client, v *client.Verified, id string) (*client.Verified, error) {
	to, err := caseedit.SealTo(ctx, c, v, id)
	if err != nil {
		return nil, err
	}
	vv := *v
	vv.Recipients = to
	return &vv, nil
}

// Restrict restricts case id of hub to the responders labelled labels in
// the hub's verified manifest (the responder's own label is always
// added, as the hub requires), then encrypts the case's submission,
// messages and record again to them; with no labels it lifts the
// restriction and encrypts them to the whole hub. Running it again
// finishes a half-done one. It returns how many blobs it encrypted.
func (b *Book) Restrict(ctx context.Context, hub, id string, labels []string) (int, error) {
	h, k, err := b.action(hub, id)
	if err != nil {
		return 0, err
	}
	if len(labels) > wire.MaxRestrictionKeys {
		return 0, fmt.Errorf("%w: a case is restricted to at most %d responders", ErrBadEdit, wire.MaxRestrictionKeys)
	}
	b.mu.RLock()
	root := k.root.sub
	opened := k.root.opened
	b.mu.RUnlock()
	var moved int
	err = h.act.call(ctx, func(c *client.Client) error {
		v, _, err := b.author(ctx, h, c)
		if err != nil {
			return err
		}
		keys, err := keysOf(v, h.ids, labels)
		if err != nil {
			return err
		}
		rs, err := caserestrict.Apply(ctx, c, id, keys)
		if errors.Is(err, client.ErrStaleVersion) {
			return fmt.Errorf("%w: %w", ErrRestrictionChanged, err)
		}
		if err != nil {
			return err
		}
		to, err := caseedit.RestrictionRecipients(v, rs)
		if err != nil {
			return err
		}
		moved, err = caserestrict.Reencrypt(ctx, c, h.ids, v, id, to, func(context.Context, string) (age.Recipient, error) {
			return sealed.ReplyRecipient(opened)
		})
		if err != nil {
			return err
		}
		s := root
		s.Restricted = len(keys) > 0
		if rerr := b.refreshRestriction(ctx, h, c, v, s); rerr != nil {
			return rerr
		}
		return nil
	})
	if rerr := b.refused(h, id, err); rerr != nil {
		return moved, rerr
	}
	if errors.Is(err, ErrRestrictionChanged) || errors.Is(err, ErrBadEdit) {
		return moved, err
	}
	if err != nil {
		return moved, b.workErr(h, "restrict the case", err)
	}
	h.kickSync()
	return moved, nil
}

// refreshRestriction reads case s's restriction again after a change
// (with the opening message's listing as it now is) and keeps it.
func (b *Book) refreshRestriction(ctx context.Context, h *hubConn, c *client.Client, v *client.Verified, s wire.Submission) error {
	rs, err := c.GetRestriction(ctx, s.ID)
	if err != nil {
		return err
	}
	// The listing's fingerprint changed with the blobs: the next sync
	// reads the restriction once more, with the listing as it now is.
	b.keepRestriction(h, s, v, rs)
	return nil
}

// keysOf returns the sorted keys of the responders labelled labels in
// the verified manifest, and the caller's own.
func keysOf(v *client.Verified, ids []age.Identity, labels []string) ([]string, error) {
	if len(labels) == 0 {
		return nil, nil
	}
	var keys []string
	for _, l := range labels {
		i := slices.IndexFunc(v.Manifest.Recipients, func(r manifest.Recipient) bool { return r.Label == l && l != "" })
		if i < 0 {
			return nil, fmt.Errorf("%w: no responder of the hub is labelled so", ErrBadEdit)
		}
		keys = append(keys, v.Manifest.Recipients[i].Key)
	}
	for _, id := range ids {
		if r, err := client.RecipientOf(id); err == nil && slices.ContainsFunc(v.Manifest.Recipients, func(m manifest.Recipient) bool { return m.Key == r }) {
			keys = append(keys, r)
			break
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys), nil
}

// Has reports whether the desk holds case id of hub.
func (b *Book) Has(hub, id string) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	_, _, err := b.caseLocked(hub, id)
	return err == nil
}
