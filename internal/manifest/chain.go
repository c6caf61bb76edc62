package manifest

import (
	"fmt"
	"math"
)

// CheckFirst accepts s as the first manifest a client learns for hubID: it
// must verify under pub, name hubID and be epoch 1. A client that starts
// from a later epoch cannot check how the list got there; see doc.go.
func CheckFirst(s *Signed, pub PublicKey, hubID string) (*Manifest, error) {
	m, err := s.Verify(pub)
	if err != nil {
		return nil, err
	}
	if m.Hub != hubID {
		return nil, fmt.Errorf("%w: manifest is for hub %q, want %q", ErrWrongHub, m.Hub, hubID)
	}
	if m.Epoch != 1 {
		return nil, fmt.Errorf("%w: first manifest has epoch %d, want 1", ErrEpochNotNext, m.Epoch)
	}
	return m, nil
}

// CheckSuccessor accepts next as the manifest that follows prev, the last
// manifest the caller accepted. Both must verify under pub; next must name
// the same hub, have exactly prev's epoch plus one (an older or equal epoch
// is a rollback or replay, a larger one skips a manifest nobody could
// check), and carry the SHA-256 of prev's exact bytes as previous.
func CheckSuccessor(prev, next *Signed, pub PublicKey) (*Manifest, error) {
	pm, err := prev.Verify(pub)
	if err != nil {
		return nil, fmt.Errorf("previous manifest: %w", err)
	}
	nm, err := next.Verify(pub)
	if err != nil {
		return nil, err
	}
	if nm.Hub != pm.Hub {
		return nil, fmt.Errorf("%w: manifest is for hub %q, want %q", ErrWrongHub, nm.Hub, pm.Hub)
	}
	if pm.Epoch == math.MaxUint64 || nm.Epoch != pm.Epoch+1 {
		return nil, fmt.Errorf("%w: epoch %d after epoch %d, want %d", ErrEpochNotNext, nm.Epoch, pm.Epoch, pm.Epoch+1)
	}
	if want := Hash(prev.Manifest); nm.Previous != want {
		return nil, fmt.Errorf("%w: epoch %d names previous %s, but epoch %d hashes to %s", ErrBrokenChain, nm.Epoch, nm.Previous, pm.Epoch, want)
	}
	return nm, nil
}

// Next builds the unsigned bytes of the manifest that follows cur: epoch
// plus one, previous set to the hash of cur's bytes, issued set to issued,
// then edit applied (see [AddRecipient], [RemoveRecipient], [SetLabel] and
// [SetRole]). edit may change the recipients but not the hub, epoch or
// previous hash.
//
// Next does not check cur's signature, having no key: cur must be a
// manifest the caller already verified ([CheckFirst], [CheckSuccessor]),
// never one taken from the server on trust, or the admin would sign
// whatever keys the server slipped into it.
func Next(cur *Signed, issued string, edit func(*Manifest) error) ([]byte, error) {
	if cur == nil {
		return nil, fmt.Errorf("%w: no current manifest", ErrMalformed)
	}
	m, err := Parse(cur.Manifest)
	if err != nil {
		return nil, fmt.Errorf("current manifest: %w", err)
	}
	if m.Epoch == math.MaxUint64 {
		return nil, fmt.Errorf("%w: epoch %d is the last possible one", ErrMalformed, m.Epoch)
	}
	hub, epoch, prev := m.Hub, m.Epoch+1, Hash(cur.Manifest)
	m.Epoch, m.Previous, m.Issued = epoch, prev, issued
	if edit != nil {
		if err := edit(m); err != nil {
			return nil, err
		}
	}
	if m.Hub != hub || m.Epoch != epoch || m.Previous != prev {
		return nil, fmt.Errorf("%w: an edit changed the hub, epoch or previous hash", ErrMalformed)
	}
	return m.Marshal()
}
