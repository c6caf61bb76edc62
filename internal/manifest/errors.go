package manifest

import (
	"errors"

	"difesa.org/difesa/internal/hub"
)

// The sentinel errors below classify every refusal. Errors returned by this
// package wrap one of them with [fmt.Errorf] and %w, together with a detail
// for humans, so callers can tell the cases apart with [errors.Is] and map
// them to stable codes. No error ever contains a secret key: a secret key
// found where a public one belongs is refused with an error that also wraps
// [hub.ErrSecretKey] and does not repeat the input.
var (
	// ErrMalformed means bytes that should be a manifest, or its signed
	// transport form, do not follow the grammar exactly (see doc.go and
	// docs/manifest.md), or that a [Manifest] cannot be marshalled because
	// it breaks a rule.
	ErrMalformed = errors.New("manifest: malformed")

	// ErrBadSignature means the signature is not a valid Ed25519 signature
	// of the manifest bytes by the hub's admin key.
	ErrBadSignature = errors.New("manifest: signature is not valid for the hub's admin key")

	// ErrWrongHub means the manifest is validly signed but names another
	// hub than the one it was fetched for.
	ErrWrongHub = errors.New("manifest: manifest is for another hub")

	// ErrEpochNotNext means the manifest's epoch is not the one expected:
	// not 1 for the first manifest of a chain, or not exactly one more than
	// the epoch already known. It covers rollback to an older manifest,
	// replay of the current one, and skipped epochs.
	ErrEpochNotNext = errors.New("manifest: epoch is not the next one")

	// ErrBrokenChain means the manifest's previous hash is not the SHA-256
	// of the manifest it claims to follow: a fork of the history.
	ErrBrokenChain = errors.New("manifest: previous hash does not match the known manifest")

	// ErrBadKey means an admin public key, secret key file or fingerprint
	// does not parse.
	ErrBadKey = errors.New("manifest: malformed admin key")

	// ErrUnknownRecipient means an edit names a recipient that is not in
	// the manifest.
	ErrUnknownRecipient = errors.New("manifest: no such recipient")
)

// secretKeyError reports a secret key where a public one belongs. It unwraps
// to [hub.ErrSecretKey], and never holds the key itself.
type secretKeyError struct{ where string }

func (e secretKeyError) Error() string {
	return "a SECRET key was given where " + e.where + " belongs: remove it, and treat it as exposed"
}

func (e secretKeyError) Unwrap() error { return hub.ErrSecretKey }
