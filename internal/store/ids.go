package store

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
)

// IDSize is the length in bytes of submission ids: 128 random bits.
const IDSize = 16

// ID identifies a submission. Its text form is lowercase unpadded base32.
type ID [IDSize]byte

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewID returns a fresh random id from crypto/rand.
func NewID() ID {
	var id ID
	rand.Read(id[:]) // never fails; see crypto/rand.Read
	return id
}

func (id ID) String() string {
	return strings.ToLower(idEncoding.EncodeToString(id[:]))
}

// ParseID parses the text form of an id.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != idEncoding.EncodedLen(IDSize) {
		return id, fmt.Errorf("store: malformed id: want %d characters", idEncoding.EncodedLen(IDSize))
	}
	b, err := idEncoding.DecodeString(strings.ToUpper(s))
	if err != nil || len(b) != IDSize {
		return id, fmt.Errorf("store: malformed id")
	}
	copy(id[:], b)
	if id.String() != s { // one text form per id: lowercase, canonical last character
		return ID{}, fmt.Errorf("store: malformed id")
	}
	return id, nil
}
