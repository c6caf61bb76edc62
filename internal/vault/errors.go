package vault

import "errors"

var (
	// ErrForeignIdentity means the identities given to [Open] do not unwrap
	// the folder's data key: the folder was made for another responder.
	ErrForeignIdentity = errors.New("vault: this desk folder belongs to another identity")

	// ErrTampered means a stored record does not authenticate under the
	// data key, its bucket and its key: it was changed, truncated, or moved
	// from another place.
	ErrTampered = errors.New("vault: a record was altered or moved")

	// ErrTooLarge means a value exceeds [MaxValueSize].
	ErrTooLarge = errors.New("vault: value too large")

	// ErrBadName means a bucket or key is not an identifier (see [MaxNameLen]).
	ErrBadName = errors.New("vault: a bucket or key must be an identifier")

	// ErrInUse means another process (another desk) has the folder open.
	ErrInUse = errors.New("vault: the desk folder is in use by another desk")

	// ErrClosed means the vault was closed.
	ErrClosed = errors.New("vault: closed")
)
