package caserecord

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/wire"
)

// MaxSealedSize bounds the age file of a case record, MaxSealedHubSize
// that of the hub record: the server's limits.
const (
	MaxSealedSize    = wire.MaxCaseRecordSize
	MaxSealedHubSize = wire.MaxHubRecordSize
)

// Seal encrypts a case record to the hub's current recipients.
func Seal(r *Record, to []age.Recipient) ([]byte, error) {
	b, err := r.Marshal()
	if err != nil {
		return nil, err
	}
	return seal(pad(b, MaxRecordSize), to, MaxSealedSize)
}

// SealHub encrypts a hub record to the hub's current recipients.
func SealHub(h *Hub, to []age.Recipient) ([]byte, error) {
	b, err := h.Marshal()
	if err != nil {
		return nil, err
	}
	return seal(pad(b, MaxHubRecordSize), to, MaxSealedHubSize)
}

// pad appends spaces to the record's JSON up to its Padmé length (at most
// limit), which JSON readers skip: the server sees the size of every
// version, and without padding the difference between two versions would
// be the length of what was added (a note, a label). With it, the size
// leaks only about its order of magnitude (internal/bundle's Padme).
func pad(b []byte, limit int) []byte {
	n := min(int(bundle.Padme(int64(len(b)))), limit)
	if n <= len(b) {
		return b
	}
	return append(b, bytes.Repeat([]byte{' '}, n-len(b))...)
}

func seal(b []byte, to []age.Recipient, limit int) ([]byte, error) {
	if len(to) == 0 {
		return nil, errors.New("caserecord: unable to seal the record: no recipients")
	}
	var out bytes.Buffer
	w, err := age.Encrypt(&out, to...)
	if err != nil {
		return nil, fmt.Errorf("caserecord: unable to seal the record: %w", err)
	}
	if _, err := w.Write(b); err != nil {
		return nil, fmt.Errorf("caserecord: unable to seal the record: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("caserecord: unable to seal the record: %w", err)
	}
	if out.Len() > limit {
		return nil, fmt.Errorf("%w: %d bytes encrypted to %d recipients, over the server's %d", ErrTooLarge, out.Len(), len(to), limit)
	}
	return out.Bytes(), nil
}

// Open decrypts a case record with a responder's identity and parses it
// with [Parse].
func Open(ct []byte, ids ...age.Identity) (*Record, error) {
	b, err := open(ct, MaxSealedSize, MaxRecordSize, ids)
	if err != nil {
		return nil, err
	}
	return Parse(b)
}

// OpenHub decrypts a hub record and parses it with [ParseHub].
func OpenHub(ct []byte, ids ...age.Identity) (*Hub, error) {
	b, err := open(ct, MaxSealedHubSize, MaxHubRecordSize, ids)
	if err != nil {
		return nil, err
	}
	return ParseHub(b)
}

func open(ct []byte, ctLimit, limit int, ids []age.Identity) ([]byte, error) {
	if len(ct) > ctLimit {
		return nil, fmt.Errorf("%w: %d bytes of ciphertext, over the %d of a record", ErrTooLarge, len(ct), ctLimit)
	}
	r, err := age.Decrypt(bytes.NewReader(ct), ids...)
	if err != nil {
		return nil, fmt.Errorf("caserecord: unable to decrypt the record: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("caserecord: unable to decrypt the record: %w", err)
	}
	if len(b) > limit {
		return nil, fmt.Errorf("%w: over %d bytes of plaintext", ErrTooLarge, limit)
	}
	return b, nil
}
