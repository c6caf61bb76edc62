// Package hubkeys ties a hub's signed manifests (internal/manifest) to what
// the server enforces (internal/hub) and keeps (internal/store).
//
// # Threat model
//
// The server only ever moves a hub to a manifest that verifies under the
// hub's admin public key and extends the stored chain by exactly one epoch.
// A compromised server can still refuse to publish, serve stale manifests or
// publish nothing at all; what it cannot do is forge a list that pinned
// clients accept (see internal/client's pins). At start-up the whole stored
// chain is verified again, so a tampered database is refused, not served.
package hubkeys

import (
	"errors"
	"fmt"
	"time"

	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/store"
)

// ErrChainMismatch is returned at start-up when the configured first
// manifest or admin key does not match the chain in the store.
var ErrChainMismatch = errors.New("hubkeys: the configured manifest or admin key does not match the stored chain")

// Load returns the hub described by settings (its ID, Name, limits) at its
// latest stored epoch. A hub with nothing stored is bootstrapped with
// initial, which must be a valid epoch-1 manifest signed by admin.
func Load(st *store.Store, settings *hub.Hub, admin manifest.PublicKey, initial []byte) (*hub.Hub, error) {
	stored, err := st.Manifests(settings.ID)
	if err != nil {
		return nil, err
	}
	if len(stored) == 0 {
		signed, err := manifest.ParseSigned(initial)
		if err != nil {
			return nil, fmt.Errorf("hub %s: initial manifest: %w", settings.ID, err)
		}
		if _, err := manifest.CheckFirst(signed, admin, settings.ID); err != nil {
			return nil, fmt.Errorf("hub %s: initial manifest: %w", settings.ID, err)
		}
		if _, err := st.PutManifest(settings.ID, 0, 1, initial); err != nil {
			return nil, err
		}
		if stored, err = st.Manifests(settings.ID); err != nil {
			return nil, err
		}
	}

	h := withAdmin(settings, admin)
	var prev *manifest.Signed
	configuredSeen := initial == nil
	for i, sm := range stored {
		signed, err := manifest.ParseSigned(sm.Signed)
		if err != nil {
			return nil, fmt.Errorf("hub %s: stored manifest %d: %w", settings.ID, sm.Epoch, err)
		}
		var m *manifest.Manifest
		if i == 0 {
			m, err = manifest.CheckFirst(signed, admin, settings.ID)
		} else {
			m, err = manifest.CheckSuccessor(prev, signed, admin)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: hub %s, stored epoch %d: %v", ErrChainMismatch, settings.ID, sm.Epoch, err)
		}
		if m.Epoch != sm.Epoch {
			return nil, fmt.Errorf("%w: hub %s: manifest of epoch %d stored as %d", ErrChainMismatch, settings.ID, m.Epoch, sm.Epoch)
		}
		if initial != nil && string(sm.Signed) == string(initial) {
			configuredSeen = true
		}
		if h, err = apply(h, m, sm, time.Time{}); err != nil {
			return nil, err
		}
		prev = signed
	}
	if !configuredSeen {
		return nil, fmt.Errorf("%w: hub %s: the configured manifest_file is none of the %d stored manifests", ErrChainMismatch, settings.ID, len(stored))
	}
	return h, nil
}

// Publish verifies signedJSON as the successor of h's current manifest,
// stores it and returns the hub at the new epoch, accepted at now (the
// store keeps only the hour; the moment, kept in memory, starts the old
// epoch's grace period).
func Publish(st *store.Store, h *hub.Hub, signedJSON []byte, now time.Time) (*hub.Hub, *manifest.Manifest, error) {
	admin, err := manifest.ParsePublicKey(h.AdminKey)
	if err != nil {
		return nil, nil, fmt.Errorf("hub %s has no usable admin key: %w", h.ID, err)
	}
	next, err := manifest.ParseSigned(signedJSON)
	if err != nil {
		return nil, nil, err
	}
	cur, err := manifest.ParseSigned(h.Current().Signed)
	if err != nil {
		return nil, nil, fmt.Errorf("hub %s: current manifest: %w", h.ID, err)
	}
	m, err := manifest.CheckSuccessor(cur, next, admin)
	if err != nil {
		return nil, nil, err
	}
	sm, err := st.PutManifest(h.ID, h.Epoch(), m.Epoch, signedJSON)
	if errors.Is(err, store.ErrEpochTaken) {
		return nil, nil, fmt.Errorf("%w: another manifest was published meanwhile", manifest.ErrEpochNotNext)
	}
	if err != nil {
		return nil, nil, err
	}
	nh, err := apply(h, m, sm, now)
	return nh, m, err
}

func withAdmin(settings *hub.Hub, admin manifest.PublicKey) *hub.Hub {
	h := *settings
	h.AdminKey = admin.String()
	h.AdminFingerprint = admin.Fingerprint()
	return &h
}

// apply makes sm the hub's current epoch, accepted at the moment accepted
// (zero for one read back from the store).
func apply(h *hub.Hub, m *manifest.Manifest, sm store.StoredManifest, accepted time.Time) (*hub.Hub, error) {
	set, err := hub.NewRecipientSet(m.Epoch, m.RecipientStrings())
	if err != nil {
		return nil, fmt.Errorf("hub %s, epoch %d: %w", h.ID, m.Epoch, err)
	}
	set.Signed, set.Published, set.Accepted = sm.Signed, sm.Published, accepted
	return h.WithEpoch(set)
}
