package bundle

import "errors"

// Errors returned by [Read], [Write], [Size] and [DirSink]. They are always
// wrapped with context (which entry, which field); test with [errors.Is].
var (
	// ErrMalformed means the plaintext is a tar archive but not a valid
	// bundle: a broken header, entries in the wrong order, invalid JSON, an
	// unknown kind, non-zero bytes after the end of the archive, and so on.
	ErrMalformed = errors.New("bundle: malformed bundle")

	// ErrUnsafePath means an entry name could escape or confuse the place
	// it is extracted to (absolute paths, "..", backslashes, NUL and control
	// characters, nesting under files/, duplicates) or that an entry is not
	// a regular file (links, devices, FIFOs, stray directories).
	ErrUnsafePath = errors.New("bundle: unsafe entry")

	// ErrTooLarge means a [Limits] bound was exceeded: too many entries, an
	// attachment or all attachments too big, or an oversized JSON entry.
	ErrTooLarge = errors.New("bundle: too large")

	// ErrUnsupportedVersion means envelope.json carries a version this
	// build does not understand; a newer difesa may read it.
	ErrUnsupportedVersion = errors.New("bundle: unsupported bundle version")

	// ErrInvalid means the caller passed [Write] or [Size] an envelope or
	// report that a reader would refuse (unknown kind or category, a
	// created field that is not a date, text that is not UTF-8).
	ErrInvalid = errors.New("bundle: invalid bundle contents")

	// ErrSizeMismatch means an [Attachment] body yielded more or fewer
	// bytes than its declared Size.
	ErrSizeMismatch = errors.New("bundle: attachment size mismatch")
)
