package ageformat

import (
	"fmt"
	"math"
)

// STREAM parameters of the age payload (age's internal/stream).
const (
	nonceSize    = 16
	chunkSize    = 64 << 10
	tagSize      = 16 // ChaCha20-Poly1305
	encChunkSize = chunkSize + tagSize
)

// checkPayloadSize reports whether size bytes after the header can be an age
// payload: a 16-byte nonce, then one or more chunks of encChunkSize bytes of
// which only the last may be shorter, and must still hold its tag. The last
// chunk may be empty (just a tag) only when it is the only chunk, for an
// empty plaintext. This is the same arithmetic as age's
// internal/stream.EncryptedChunkCount.
func checkPayloadSize(size int64) error {
	if size < nonceSize {
		return fmt.Errorf("%w: payload is %d bytes, shorter than the %d-byte nonce", ErrBadPayload, size, nonceSize)
	}
	enc := size - nonceSize
	if enc > math.MaxInt64-encChunkSize+1 {
		return fmt.Errorf("%w: payload of %d bytes is too large", ErrBadPayload, size)
	}
	chunks := (enc + encChunkSize - 1) / encChunkSize
	if chunks == 0 {
		return fmt.Errorf("%w: payload has a nonce but no chunk", ErrBadPayload)
	}
	last := enc - (chunks-1)*encChunkSize
	switch {
	case last < tagSize:
		return fmt.Errorf("%w: final chunk of %d bytes is shorter than its %d-byte tag", ErrBadPayload, last, tagSize)
	case last == tagSize && chunks > 1:
		return fmt.Errorf("%w: final chunk is empty after %d full chunks", ErrBadPayload, chunks-1)
	}
	return nil
}
