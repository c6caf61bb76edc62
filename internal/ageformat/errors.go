package ageformat

import "errors"

// The sentinel errors below classify every refusal. Errors returned by this
// package wrap exactly one of them (with [fmt.Errorf] and %w) together with a
// human-readable detail, so callers can map them to stable API error codes
// with [errors.Is]. Errors from the underlying [io.Reader] that are not about
// the file itself (a broken connection, a body limit) are wrapped without a
// sentinel, so they are never mistaken for a malformed upload.
var (
	// ErrBadHeader means the age header does not parse as age parses it, is
	// not in canonical encoding, exceeds [MaxHeaderSize], or holds a stanza
	// that age would refuse to process (for example a low-order X25519
	// share, or a body of the wrong length).
	ErrBadHeader = errors.New("ageformat: malformed age header")

	// ErrBadArmor means the upload looked ASCII-armored but the armor is not
	// the strict PEM-like encoding that age accepts.
	ErrBadArmor = errors.New("ageformat: malformed ASCII armor")

	// ErrBadPayload means the size of the payload after the header cannot be
	// the size of a STREAM-encrypted age payload: no nonce, no chunk, a
	// chunk without room for its tag, or an empty final chunk after a full
	// one.
	ErrBadPayload = errors.New("ageformat: impossible age payload")

	// ErrRecipientMismatch means the header's stanzas are well formed but
	// are not the stanzas the hub's recipients would produce, see
	// [CheckRecipients].
	ErrRecipientMismatch = errors.New("ageformat: stanzas do not match the hub's recipients")

	// ErrBadPolicy means the hub's own recipient list cannot be used as a
	// policy: it is empty, holds a recipient type this package does not
	// know, or mixes post-quantum and classic recipients (which age itself
	// refuses to encrypt to). It is a configuration error, not a fault of
	// the upload.
	ErrBadPolicy = errors.New("ageformat: unusable hub recipient policy")
)
