package client

import (
	"context"
	"errors"
	"fmt"

	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

// Errors of [Client.VerifiedRecipients]. Every refusal that may mean an
// attack is a [*TrustError], which wraps [ErrUntrusted], one of the errors
// below or one of internal/manifest's sentinels (manifest.ErrBadSignature
// for a forged list, manifest.ErrBrokenChain for a fork…).
var (
	// ErrUntrusted is wrapped by every [*TrustError].
	ErrUntrusted = errors.New("the hub's recipient list cannot be trusted")

	// ErrUnsigned means the hub publishes no admin key or no signed
	// manifest, so its recipient list cannot be checked.
	ErrUnsigned = errors.New("the hub does not publish a signed recipient list")

	// ErrFingerprintMismatch means the hub's admin key does not have the
	// fingerprint the user gave out of band (or the one pinned).
	ErrFingerprintMismatch = errors.New("the admin key does not have the expected fingerprint")

	// ErrKeyChanged means the hub presents another admin key than the one
	// pinned for it.
	ErrKeyChanged = errors.New("the hub presents another admin key than the one pinned")

	// ErrRollback means the hub serves an older manifest than one the
	// client already accepted.
	ErrRollback = errors.New("the hub serves an older recipient list than one already seen")

	// ErrMissingManifest means the hub does not serve a manifest of its
	// chain, so the way from the pinned epoch to the current one cannot be
	// checked.
	ErrMissingManifest = errors.New("the hub does not serve every manifest of its chain")
)

// TrustError is a hub's recipient list refused: a list not signed by the
// pinned admin key, an older list than one already seen, a history that
// does not chain. It may mean the server was compromised, or that the hub's
// keys were reset; the client must not send anything until a person has
// compared the admin key's fingerprint out of band.
type TrustError struct {
	// Hub is the hub's address as pinned (see [PinKey]).
	Hub string
	// Pinned is the pin the hub was checked against, or nil on first use.
	Pinned *Pin
	// Reason says what was seen, for people.
	Reason string
	// Err is the kind of refusal, for errors.Is.
	Err error
}

func (e *TrustError) Error() string { return e.Reason }

// Unwrap returns [ErrUntrusted] and the kind of refusal.
func (e *TrustError) Unwrap() []error { return []error{ErrUntrusted, e.Err} }

// Trust says how [Client.VerifiedRecipients] decides which admin key to
// trust.
type Trust struct {
	// Pins remembers, per hub, the admin key and the last manifest
	// accepted. If nil, nothing is remembered and every call is a first
	// contact.
	Pins *PinStore
	// Fingerprint, if not empty, is the admin key's fingerprint as
	// learned out of band (the -pin flag). A hub whose key, or a pin whose
	// key, has another fingerprint is refused.
	Fingerprint string
}

// Verified is a hub's current recipient list, checked.
type Verified struct {
	// Signed is the current manifest as served, Manifest its content.
	Signed   *manifest.Signed
	Manifest *manifest.Manifest
	// Recipients are the manifest's recipients, ready for age.Encrypt.
	Recipients []age.Recipient
	// Epoch is the manifest's epoch.
	Epoch uint64
	// AdminKey is the key that signed it.
	AdminKey manifest.PublicKey
	// FirstUse is true when the hub had no pin: the admin key was taken
	// from the hub (trust on first use), or, if Confirmed, checked against
	// [Trust.Fingerprint].
	FirstUse  bool
	Confirmed bool
	// From is the epoch pinned before this call (0 on first use). If
	// Epoch is higher, the client walked the chain from From to Epoch.
	From uint64
}

// VerifiedRecipients fetches the hub's admin key and current manifest
// (GET /api/v1/hubs/ID and /hubs/ID/manifest.json) and checks them against
// what the client remembers of the hub:
//
//   - On first contact (no pin), the admin key is the one the hub presents,
//     unless [Trust.Fingerprint] says otherwise; the chain is walked from
//     epoch 1, each manifest checked with manifest.CheckFirst and
//     manifest.CheckSuccessor.
//   - With a pin, the current manifest must be signed by the pinned key,
//     and its epoch must not be lower than the pinned one. The same epoch
//     must be the same manifest (same hash). A higher epoch is reached by
//     fetching every manifest in between (GET /hubs/ID/manifests/N.json)
//     and checking each link from the pinned manifest, whose hash must
//     be the pinned hash.
//
// The pin is written only after all of this succeeded. A refusal that may
// mean an attack is a [*TrustError].
func (c *Client) VerifiedRecipients(ctx context.Context, t Trust) (*Verified, error) {
	key, err := PinKey(c.HubURL())
	if err != nil {
		return nil, err
	}
	var pin *Pin
	if t.Pins != nil {
		p, ok, err := t.Pins.Get(key)
		if err != nil {
			return nil, err
		}
		if ok {
			pin = &p
		}
	}
	refuse := func(kind error, format string, a ...any) error {
		return &TrustError{Hub: key, Pinned: pin, Reason: fmt.Sprintf(format, a...), Err: kind}
	}

	info, err := c.Hub(ctx)
	if err != nil {
		return nil, err
	}
	pub, err := c.adminKey(info, pin, t.Fingerprint, refuse)
	if err != nil {
		return nil, err
	}

	cur, err := c.Manifest(ctx)
	if err != nil {
		return nil, c.fetchError(err, 0, pin != nil, refuse)
	}
	m, err := cur.Verify(pub)
	if errors.Is(err, manifest.ErrBadSignature) {
		return nil, refuse(err, "the hub's recipient list is not signed by the hub's admin key (fingerprint %s): it may be forged", pub.Fingerprint())
	}
	if err != nil {
		return nil, refuse(err, "the hub's recipient list is signed but malformed: %v", err)
	}
	if m.Hub != c.hub {
		return nil, refuse(manifest.ErrWrongHub, "the hub %q serves the recipient list of hub %q", c.hub, m.Hub)
	}
	hash := manifest.Hash(cur.Manifest)

	v := &Verified{Signed: cur, Manifest: m, Epoch: m.Epoch, AdminKey: pub}
	switch {
	case pin == nil:
		v.FirstUse, v.Confirmed = true, t.Fingerprint != ""
		first := cur
		if m.Epoch != 1 {
			if first, err = c.chainLink(ctx, 1, refuse); err != nil {
				return nil, err
			}
		}
		if _, err := manifest.CheckFirst(first, pub, c.hub); err != nil {
			return nil, refuse(err, "the hub's first recipient list (epoch 1) does not check: %v", err)
		}
		if err := c.follow(ctx, first, cur, m.Epoch, pub, refuse); err != nil {
			return nil, err
		}
	case m.Epoch < pin.Epoch:
		return nil, refuse(ErrRollback, "the hub serves the recipient list of epoch %d, older than epoch %d already seen (a rollback)", m.Epoch, pin.Epoch)
	case m.Epoch == pin.Epoch:
		v.From = pin.Epoch
		if hash != pin.Hash {
			return nil, refuse(manifest.ErrBrokenChain, "the hub serves another recipient list for epoch %d than the one already seen (a fork)", m.Epoch)
		}
	default:
		v.From = pin.Epoch
		prev, err := c.chainLink(ctx, pin.Epoch, refuse)
		if err != nil {
			return nil, err
		}
		if manifest.Hash(prev.Manifest) != pin.Hash {
			return nil, refuse(manifest.ErrBrokenChain, "the hub's recipient list of epoch %d is not the one already seen (a fork)", pin.Epoch)
		}
		if _, err := prev.Verify(pub); err != nil {
			return nil, refuse(err, "the hub's recipient list of epoch %d does not check: %v", pin.Epoch, err)
		}
		if err := c.follow(ctx, prev, cur, m.Epoch, pub, refuse); err != nil {
			return nil, err
		}
	}

	if v.Recipients, err = m.AgeRecipients(); err != nil {
		return nil, refuse(err, "the hub's recipient list holds a key age cannot use: %v", err)
	}
	if t.Pins != nil && (pin == nil || pin.Epoch != m.Epoch) {
		next := Pin{Hub: key, AdminKey: pub.String(), Fingerprint: pub.Fingerprint(), Epoch: m.Epoch, Hash: hash}
		if pin != nil {
			next.Forms = pin.Forms // the forms seen stay seen across epochs
		}
		if err := t.Pins.Put(next); err != nil {
			return nil, err
		}
	}
	return v, nil
}

type refuseFunc func(kind error, format string, a ...any) error

// adminKey decides which admin key to check the hub's manifests with.
func (c *Client) adminKey(info *wire.HubInfo, pin *Pin, fingerprint string, refuse refuseFunc) (manifest.PublicKey, error) {
	var want string
	if fingerprint != "" {
		fp, err := manifest.ParseFingerprint(fingerprint)
		if err != nil {
			return manifest.PublicKey{}, fmt.Errorf("the fingerprint given with -pin: %w", err)
		}
		want = fp
	}
	if pin != nil {
		pub, err := manifest.ParsePublicKey(pin.AdminKey)
		if err != nil {
			return pub, err // the pin store checked it
		}
		if want != "" && !pub.MatchesFingerprint(want) {
			return pub, refuse(ErrFingerprintMismatch, "the admin key pinned for this hub has fingerprint %s, not %s as given with -pin", pub.Fingerprint(), want)
		}
		if info.AdminKey == "" {
			return pub, refuse(ErrUnsigned, "the hub no longer presents an admin key, but one (fingerprint %s) is pinned for it", pub.Fingerprint())
		}
		served, err := manifest.ParsePublicKey(info.AdminKey)
		if err != nil {
			return pub, refuse(manifest.ErrBadKey, "the hub presents a malformed admin key: %v", err)
		}
		if !served.Equal(pub) {
			return pub, refuse(ErrKeyChanged, "the hub presents another admin key (fingerprint %s) than the one pinned for it (fingerprint %s)", served.Fingerprint(), pub.Fingerprint())
		}
		return pub, nil
	}
	if info.AdminKey == "" {
		return manifest.PublicKey{}, fmt.Errorf("%w: hub %q presents no admin key", ErrUnsigned, c.hub)
	}
	pub, err := manifest.ParsePublicKey(info.AdminKey)
	if err != nil {
		return pub, refuse(manifest.ErrBadKey, "the hub presents a malformed admin key: %v", err)
	}
	if want != "" && !pub.MatchesFingerprint(want) {
		return pub, refuse(ErrFingerprintMismatch, "the hub's admin key has fingerprint %s, not %s as given with -pin", pub.Fingerprint(), want)
	}
	return pub, nil
}

// chainLink fetches the manifest of one epoch of the chain.
func (c *Client) chainLink(ctx context.Context, epoch uint64, refuse refuseFunc) (*manifest.Signed, error) {
	s, err := c.ManifestAt(ctx, epoch)
	if err != nil {
		return nil, c.fetchError(err, epoch, true, refuse)
	}
	return s, nil
}

// fetchError explains a failed manifest fetch. epoch 0 is the current
// manifest; expected says whether the hub must have it.
func (c *Client) fetchError(err error, epoch uint64, expected bool, refuse refuseFunc) error {
	switch {
	case errors.Is(err, manifest.ErrMalformed):
		return refuse(err, "the hub serves a malformed recipient list: %v", err)
	case !errors.Is(err, &wire.Error{Code: wire.CodeNotFound}):
		return fmt.Errorf("fetching the hub's recipient list: %w", err)
	case epoch == 0 && !expected:
		return fmt.Errorf("%w: hub %q serves no manifest.json", ErrUnsigned, c.hub)
	case epoch == 0:
		return refuse(ErrUnsigned, "the hub no longer serves a signed recipient list, but one was seen before")
	default:
		return refuse(ErrMissingManifest, "the hub does not serve its recipient list of epoch %d, so the way to its current list cannot be checked", epoch)
	}
}

// follow checks every link from prev (already accepted) to cur, the
// manifest of epoch to, fetching the epochs in between.
func (c *Client) follow(ctx context.Context, prev, cur *manifest.Signed, to uint64, pub manifest.PublicKey, refuse refuseFunc) error {
	m, err := manifest.Parse(prev.Manifest)
	if err != nil {
		return refuse(err, "the hub's recipient list is malformed: %v", err)
	}
	for e := m.Epoch + 1; e <= to; e++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		next := cur
		if e < to {
			if next, err = c.chainLink(ctx, e, refuse); err != nil {
				return err
			}
		}
		if _, err := manifest.CheckSuccessor(prev, next, pub); err != nil {
			return refuse(err, "the hub's recipient list of epoch %d does not follow epoch %d: %v", e, e-1, err)
		}
		prev = next
	}
	return nil
}
