package form

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"

	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

// Sign checks f, encodes it canonically and signs those bytes with the
// admin key. A form that breaks a rule is never signed.
func Sign(sk *manifest.SecretKey, f *Form) (*wire.SignedForm, error) {
	if sk == nil {
		return nil, errors.New("form: unable to sign: no admin key")
	}
	if f.ID == DefaultID {
		return nil, fmt.Errorf("form: refusing to sign: %w: the id %q is the built-in form's", ErrInvalid, DefaultID)
	}
	b, err := f.Marshal()
	if err != nil {
		return nil, fmt.Errorf("form: refusing to sign: %w", err)
	}
	return &wire.SignedForm{Form: b, Signature: sk.SignDetached(b)}, nil
}

// Verify checks the signature under the admin key pub first, then parses
// the form ([Parse]). A bad signature wraps [ErrUnsigned] whatever the
// bytes; only what the admin key signed is parsed at all.
func Verify(s *wire.SignedForm, pub manifest.PublicKey) (*Form, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: no signed form", ErrInvalid)
	}
	if pub.IsZero() || !pub.VerifyDetached(s.Form, s.Signature) {
		return nil, fmt.Errorf("%w: the signature is not the Ed25519 signature of admin key %s", ErrUnsigned, pub.Fingerprint())
	}
	f, err := Parse(s.Form)
	if err != nil {
		return nil, fmt.Errorf("signed form: %w", err)
	}
	return f, nil
}

// VerifyFor is [Verify] for the form id of hub: a validly signed form of
// another hub, or with another id, wraps [ErrWrongHub]. id "" accepts any
// id of the hub.
func VerifyFor(s *wire.SignedForm, pub manifest.PublicKey, hub, id string) (*Form, error) {
	f, err := Verify(s, pub)
	if err != nil {
		return nil, err
	}
	if f.Hub != hub {
		return nil, fmt.Errorf("%w: the form is for hub %q, not %q", ErrWrongHub, f.Hub, hub)
	}
	if id != "" && f.ID != id {
		return nil, fmt.Errorf("%w: the hub served form %q when asked for %q", ErrWrongHub, f.ID, id)
	}
	return f, nil
}

// Seen is what a client remembers of a form: the highest version it
// accepted and the hash of that version's bytes.
type Seen struct {
	Version uint64
	Hash    string
}

// CheckSeen refuses a form older than the one seen ([ErrRollback]) and a
// form of the same version with other bytes ([ErrConflict]). A zero Seen
// accepts any version.
func CheckSeen(f *Form, hash string, seen Seen) error {
	switch {
	case seen.Version == 0:
		return nil
	case f.Version < seen.Version:
		return fmt.Errorf("%w: form %q version %d, but version %d was already seen", ErrRollback, f.ID, f.Version, seen.Version)
	case f.Version == seen.Version && hash != seen.Hash:
		return fmt.Errorf("%w: form %q version %d has other bytes than the version %d seen before", ErrConflict, f.ID, f.Version, seen.Version)
	}
	return nil
}

// MarshalSigned returns the transport form of s.
func MarshalSigned(s *wire.SignedForm) []byte {
	b, _ := json.Marshal(s) // two byte slices cannot fail
	return b
}

// ParseSigned decodes the transport form strictly: one JSON object with
// exactly the members "form" and "signature", each once, each canonical
// padded standard base64, at most [MaxSignedSize] bytes, a form of at most
// [MaxSize] bytes and a 64-byte signature. It checks neither the signature
// nor the form: that is [Verify]'s job.
func ParseSigned(b []byte) (*wire.SignedForm, error) {
	if len(b) > MaxSignedSize {
		return nil, fmt.Errorf("%w: signed form is larger than %d bytes", ErrTooLarge, MaxSignedSize)
	}
	var got wire.SignedForm
	var err error
	if got.Form, got.Signature, err = manifest.DecodeEnvelope(b, "form", ErrInvalid); err != nil {
		return nil, err
	}
	switch {
	case len(got.Form) == 0:
		return nil, fmt.Errorf("%w: signed form: the form is empty", ErrInvalid)
	case len(got.Form) > MaxSize:
		return nil, fmt.Errorf("%w: signed form: the form is larger than %d bytes", ErrTooLarge, MaxSize)
	case len(got.Signature) != ed25519.SignatureSize:
		return nil, fmt.Errorf("%w: signed form: signature is %d bytes, want %d", ErrInvalid, len(got.Signature), ed25519.SignatureSize)
	}
	return &got, nil
}
