package manifest

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"
)

const (
	// PublicKeyPrefix starts the text form of an admin public key.
	PublicKeyPrefix = "difesa-admin-ed25519:"

	// SecretKeyPrefix starts the text form of an admin secret key. It is
	// upper case, like age's AGE-SECRET-KEY-, so a secret stands out.
	SecretKeyPrefix = "DIFESA-ADMIN-SECRET-KEY-"

	// maxKeyFileSize bounds what [ParseSecretKeyFile] reads.
	maxKeyFileSize = 16 << 10
)

// keyEncoding is base64url without padding, refusing non-zero trailing bits
// so that every key has exactly one text form.
var keyEncoding = base64.RawURLEncoding.Strict()

// PublicKey is a hub's admin public key. The server and the clients know it;
// clients should pin it and compare its [PublicKey.Fingerprint] with the
// administrator out of band.
type PublicKey struct {
	k ed25519.PublicKey
}

// SecretKey is a hub's admin signing key. It lives only on the
// administrator's machine; the server never holds it.
type SecretKey struct {
	k ed25519.PrivateKey
}

// GenerateKey returns a new admin key from crypto/rand.
func GenerateKey() (*SecretKey, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("manifest: unable to generate admin key: %w", err)
	}
	return newSecretKey(seed), nil
}

// newSecretKey derives the key from a 32-byte Ed25519 seed.
func newSecretKey(seed []byte) *SecretKey {
	return &SecretKey{k: ed25519.NewKeyFromSeed(seed)}
}

// Public returns the public half of sk.
func (sk *SecretKey) Public() PublicKey {
	return PublicKey{k: sk.k.Public().(ed25519.PublicKey)}
}

// String returns the secret key in text form, SecretKeyPrefix followed by
// the base64url of the 32-byte seed. Handle it like an age identity.
func (sk *SecretKey) String() string {
	return SecretKeyPrefix + keyEncoding.EncodeToString(sk.k.Seed())
}

// File returns the contents of a secret key file: a creation date and the
// public key as comments, then the secret key line. [ParseSecretKeyFile]
// reads it back.
func (sk *SecretKey) File(created time.Time) []byte {
	return fmt.Appendf(nil, "# created: %s\n# public key: %s\n%s\n",
		created.UTC().Format(time.DateOnly), sk.Public(), sk)
}

// ParseSecretKeyFile reads an admin secret key file. Lines starting with #
// and blank lines are ignored; exactly one line must hold a secret key.
// Errors never repeat the file's contents.
func ParseSecretKeyFile(r io.Reader) (*SecretKey, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("manifest: unable to read admin key file: %w", err)
	}
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("%w: key file is larger than %d bytes", ErrBadKey, maxKeyFileSize)
	}
	var sk *SecretKey
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(nil, maxKeyFileSize+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if sk != nil {
			return nil, fmt.Errorf("%w: key file line %d: more than one key", ErrBadKey, n)
		}
		b64, ok := strings.CutPrefix(line, SecretKeyPrefix)
		if !ok {
			if strings.HasPrefix(line, PublicKeyPrefix) {
				return nil, fmt.Errorf("%w: key file line %d: this is a public key, not the secret key", ErrBadKey, n)
			}
			return nil, fmt.Errorf("%w: key file line %d: want a line starting with %s", ErrBadKey, n, SecretKeyPrefix)
		}
		seed, err := keyEncoding.DecodeString(b64)
		if err != nil || len(seed) != ed25519.SeedSize {
			// Not %v err: base64 errors quote an offset, harmless, but
			// keep the rule simple: nothing from the line is shown.
			return nil, fmt.Errorf("%w: key file line %d: the key is not base64url of 32 bytes", ErrBadKey, n)
		}
		sk = newSecretKey(seed)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: key file: %v", ErrBadKey, err)
	}
	if sk == nil {
		return nil, fmt.Errorf("%w: key file holds no %s line", ErrBadKey, SecretKeyPrefix)
	}
	return sk, nil
}

// ParsePublicKey parses an admin public key in text form, PublicKeyPrefix
// followed by the base64url (no padding) of the 32-byte Ed25519 key. A
// secret key is refused without being repeated.
func ParsePublicKey(s string) (PublicKey, error) {
	if looksSecret(s) {
		return PublicKey{}, fmt.Errorf("%w: %w", ErrBadKey, secretKeyError{"an admin public key (" + PublicKeyPrefix + "…)"})
	}
	b64, ok := strings.CutPrefix(s, PublicKeyPrefix)
	if !ok {
		return PublicKey{}, fmt.Errorf("%w: want %s followed by the key", ErrBadKey, PublicKeyPrefix)
	}
	k, err := keyEncoding.DecodeString(b64)
	if err != nil || len(k) != ed25519.PublicKeySize {
		return PublicKey{}, fmt.Errorf("%w: %q is not base64url of 32 bytes", ErrBadKey, truncate(b64))
	}
	return PublicKey{k: ed25519.PublicKey(k)}, nil
}

// String returns the public key in text form.
func (pk PublicKey) String() string {
	if pk.k == nil {
		return ""
	}
	return PublicKeyPrefix + keyEncoding.EncodeToString(pk.k)
}

// Equal reports whether pk and other are the same key.
func (pk PublicKey) Equal(other PublicKey) bool {
	return pk.k != nil && pk.k.Equal(other.k)
}

// IsZero reports whether pk is the zero PublicKey, which verifies nothing.
func (pk PublicKey) IsZero() bool { return pk.k == nil }

// looksSecret reports whether s holds something shaped like an age or admin
// secret key, in any case.
func looksSecret(s string) bool {
	u := strings.ToUpper(s)
	return strings.Contains(u, SecretKeyPrefix) || strings.Contains(u, "AGE-SECRET-KEY-")
}

// truncate shortens s for an error message.
func truncate(s string) string {
	const max = 64
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "…"
}
