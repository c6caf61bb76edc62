package manifest

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
)

// MaxSignedSize is the largest transport form [ParseSigned] reads.
const MaxSignedSize = 128 << 10

// Signed is a manifest's exact bytes with the admin's Ed25519 signature of
// them. Its JSON form, the transport form, is
//
//	{"manifest":"<standard base64 of the bytes>","signature":"<standard base64 of 64 bytes>"}
//
// The manifest travels as base64 so that no JSON or Unicode re-encoding on
// the way can change the signed bytes.
type Signed struct {
	Manifest  []byte `json:"manifest"`
	Signature []byte `json:"signature"`
}

// Sign parses manifestBytes, so that a malformed manifest is never signed,
// and signs them with sk.
func Sign(sk *SecretKey, manifestBytes []byte) (*Signed, error) {
	if sk == nil || sk.k == nil {
		return nil, fmt.Errorf("%w: no admin secret key", ErrBadKey)
	}
	if _, err := Parse(manifestBytes); err != nil {
		return nil, fmt.Errorf("manifest: refusing to sign: %w", err)
	}
	b := bytes.Clone(manifestBytes)
	return &Signed{Manifest: b, Signature: ed25519.Sign(sk.k, b)}, nil
}

// Verify checks the signature under pub, then parses the manifest. A bad
// signature wraps [ErrBadSignature]; a validly signed but malformed
// manifest (which [Sign] never produces) wraps [ErrMalformed]. Verify says
// nothing about whether the manifest is current: use [CheckFirst] and
// [CheckSuccessor] for that.
func (s *Signed) Verify(pub PublicKey) (*Manifest, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: no signed manifest", ErrMalformed)
	}
	if pub.IsZero() {
		return nil, fmt.Errorf("%w: no admin public key", ErrBadSignature)
	}
	if len(s.Signature) != ed25519.SignatureSize || !ed25519.Verify(pub.k, s.Manifest, s.Signature) {
		return nil, fmt.Errorf("%w: key %s", ErrBadSignature, pub)
	}
	m, err := Parse(s.Manifest)
	if err != nil {
		return nil, fmt.Errorf("signed manifest: %w", err)
	}
	return m, nil
}

// Marshal returns the transport form.
func (s *Signed) Marshal() []byte {
	b, _ := json.Marshal(s) // cannot fail for two byte slices
	return b
}

// ParseSigned decodes the transport form strictly: one JSON object with
// exactly the members "manifest" and "signature", each once, each a string
// of canonical standard base64 (padded, no line breaks), at most
// MaxSignedSize bytes in all. It checks the sizes but neither the signature
// nor the manifest grammar: that is [Signed.Verify]'s job.
func ParseSigned(b []byte) (*Signed, error) {
	if len(b) > MaxSignedSize {
		return nil, fmt.Errorf("%w: signed manifest is larger than %d bytes", ErrMalformed, MaxSignedSize)
	}
	s := &Signed{}
	if err := s.UnmarshalJSON(b); err != nil {
		return nil, err
	}
	return s, nil
}

// UnmarshalJSON applies the rules of [ParseSigned] except the overall size
// limit, so a Signed embedded in a larger JSON document is as strict.
func (s *Signed) UnmarshalJSON(b []byte) error {
	var got Signed
	var err error
	if got.Manifest, got.Signature, err = DecodeEnvelope(b, "manifest", ErrMalformed); err != nil {
		return err
	}
	switch {
	case len(got.Manifest) == 0 || len(got.Manifest) > MaxSize:
		return fmt.Errorf("%w: signed manifest: manifest is empty or larger than %d bytes", ErrMalformed, MaxSize)
	case len(got.Signature) != ed25519.SignatureSize:
		return fmt.Errorf("%w: signed manifest: signature is %d bytes, want %d", ErrMalformed, len(got.Signature), ed25519.SignatureSize)
	}
	*s = got
	return nil
}
