package vault

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

// A sealed record is
//
//	version (1 byte, 1) | day (4 bytes, big endian, days since 1970-01-01 UTC)
//	| nonce (24 bytes) | XChaCha20-Poly1305 ciphertext and tag
//
// and its additional data is the label, then the bucket and the key each
// prefixed with their length, then the version and day bytes.
const (
	recordVersion  = 1
	headerLen      = 1 + 4
	recordOverhead = headerLen + chacha20poly1305.NonceSizeX + chacha20poly1305.Overhead
	aadLabel       = "difesa vault record v1\x00"
)

// sealedRecord is a decoded, not yet authenticated, record.
type sealedRecord struct {
	header     []byte // version and day, part of the additional data
	day        uint32
	nonce      []byte
	ciphertext []byte
}

// dayOf returns the UTC date of t as days since the Unix epoch; instants
// before 1970 count as day 0.
func dayOf(t time.Time) uint32 {
	d := t.UTC().Unix() / 86400
	if t.UTC().Unix() < 0 {
		return 0
	}
	if d > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(d)
}

// decodeRecord splits a stored value into its parts, refusing anything
// that is not a well-formed record. It never authenticates.
func decodeRecord(raw []byte) (sealedRecord, error) {
	if len(raw) < recordOverhead {
		return sealedRecord{}, fmt.Errorf("%w: record too short", ErrTampered)
	}
	if raw[0] != recordVersion {
		return sealedRecord{}, fmt.Errorf("%w: unknown record version %d", ErrTampered, raw[0])
	}
	if len(raw)-recordOverhead > MaxValueSize {
		return sealedRecord{}, fmt.Errorf("%w: record too long", ErrTampered)
	}
	return sealedRecord{
		header:     raw[:headerLen],
		day:        binary.BigEndian.Uint32(raw[1:headerLen]),
		nonce:      raw[headerLen : headerLen+chacha20poly1305.NonceSizeX],
		ciphertext: raw[headerLen+chacha20poly1305.NonceSizeX:],
	}, nil
}

func additionalData(bucket, key string, header []byte) []byte {
	ad := make([]byte, 0, len(aadLabel)+4+len(bucket)+len(key)+len(header))
	ad = append(ad, aadLabel...)
	ad = binary.BigEndian.AppendUint16(ad, uint16(len(bucket)))
	ad = append(ad, bucket...)
	ad = binary.BigEndian.AppendUint16(ad, uint16(len(key)))
	ad = append(ad, key...)
	return append(ad, header...)
}

// seal encrypts value for bucket and key, kept on day.
// Nonces are random: 192 bits leave no birthday risk at any desk's scale.
func seal(aead cipher.AEAD, bucket, key string, value []byte, day uint32) ([]byte, error) {
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("vault: unable to make a nonce: %w", err)
	}
	return sealWithNonce(aead, bucket, key, value, day, nonce), nil
}

func sealWithNonce(aead cipher.AEAD, bucket, key string, value []byte, day uint32, nonce []byte) []byte {
	out := make([]byte, headerLen, recordOverhead+len(value))
	out[0] = recordVersion
	binary.BigEndian.PutUint32(out[1:headerLen], day)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, value, additionalData(bucket, key, out[:headerLen]))
}

// open authenticates and decrypts a stored value found at bucket and key.
func open(aead cipher.AEAD, bucket, key string, raw []byte) ([]byte, uint32, error) {
	r, err := decodeRecord(raw)
	if err != nil {
		return nil, 0, err
	}
	plain, err := aead.Open(nil, r.nonce, r.ciphertext, additionalData(bucket, key, r.header))
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s/%s", ErrTampered, bucket, key)
	}
	return plain, r.day, nil
}
