package codename

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"filippo.io/age"
	"golang.org/x/crypto/argon2"

	"difesa.org/difesa/internal/hub"
)

// The derivation, byte for byte (docs/codename.md has the rationale):
//
//	salt   = "difesa codename v1" || 0x00 || hub id
//	master = Argon2id(password = String(), salt, t=2, m=4096 KiB, p=1, 32 bytes)
//	seed   = HKDF-SHA-256(ikm = master, salt = none, info = "difesa codename v1 reply identity", 32)
//	token  = HKDF-SHA-256(ikm = master, salt = none, info = "difesa codename v1 thread token", 32)
//	verifier = SHA-256("difesa thread verifier v1" || token)
//	identity = Bech32("AGE-SECRET-KEY-PQ-", seed), upper case
//
// Changing any of these constants changes every defender's keys: that is a
// new version with new labels, never an edit.
const (
	kdfLabel       = "difesa codename v1"
	argonTime      = 2
	argonMemoryKiB = 4096
	argonThreads   = 1
	masterLen      = 32

	infoIdentity  = "difesa codename v1 reply identity"
	infoToken     = "difesa codename v1 thread token"
	verifierLabel = "difesa thread verifier v1"
)

// Errors of [Derive].
var (
	// ErrNoCodename means Derive was handed the zero [Codename].
	ErrNoCodename = errors.New("codename: no codename (zero value)")

	// ErrHubID means the hub id is not one [hub.ValidID] accepts.
	ErrHubID = errors.New("codename: malformed hub id")
)

// Keys is everything a codename stands for at one hub.
type Keys struct {
	// Identity decrypts the replies the hub's readers send the defender.
	// It is a post-quantum hybrid (ML-KEM-768 + X25519) age identity;
	// Identity.String() is its AGE-SECRET-KEY-PQ-1… form.
	Identity *age.HybridIdentity

	// Recipient is Identity's public age1pq1… form, which the defender
	// gives the hub so that replies can be encrypted to it.
	Recipient string

	// Token proves to the hub that a request comes from the thread's
	// defender. It travels as [TokenString] and is never stored.
	Token [32]byte

	// Verifier is [TokenVerifier] of Token: what the hub stores and looks
	// the thread up by.
	Verifier [32]byte
}

// Derive computes the keys of codename c at the hub hubID. It is
// deterministic: the same codename and hub give the same keys in Go and in
// the web pages (web/src/codename.js), which is what lets a defender come
// back with nothing but the codename. The same codename at another hub
// gives unrelated keys.
//
// Derive runs Argon2id with 4 MiB of memory, about 6 ms in Go and
// about 2 s in a browser without a JIT; it is meant for the defender's
// side, never for a server handling requests.
func Derive(c Codename, hubID string) (*Keys, error) {
	if !c.set {
		return nil, ErrNoCodename
	}
	if !hub.ValidID(hubID) {
		return nil, fmt.Errorf("%w: use 1-32 lowercase letters, digits and dashes, starting with a letter or digit", ErrHubID)
	}
	return expand(stretch(c.String(), hubID))
}

// kdfSalt returns the Argon2id salt for hubID.
func kdfSalt(hubID string) []byte {
	return []byte(kdfLabel + "\x00" + hubID)
}

// stretch is the memory-hard step, on the normalised codename.
func stretch(normalized, hubID string) []byte {
	return argon2.IDKey([]byte(normalized), kdfSalt(hubID), argonTime, argonMemoryKiB, argonThreads, masterLen)
}

// expand turns the Argon2id output into the keys.
func expand(master []byte) (*Keys, error) {
	seed, err := hkdf.Key(sha256.New, master, nil, infoIdentity, 32)
	if err != nil {
		return nil, fmt.Errorf("codename: unable to expand keys: %w", err)
	}
	token, err := hkdf.Key(sha256.New, master, nil, infoToken, 32)
	if err != nil {
		return nil, fmt.Errorf("codename: unable to expand keys: %w", err)
	}
	id, err := age.ParseHybridIdentity(identityString(seed))
	if err != nil {
		return nil, fmt.Errorf("codename: unable to make the reply identity: %w", err)
	}
	k := &Keys{Identity: id, Recipient: id.Recipient().String()}
	copy(k.Token[:], token)
	k.Verifier = TokenVerifier(k.Token)
	return k, nil
}

// identityString encodes a 32-byte seed as age encodes a hybrid identity.
func identityString(seed []byte) string {
	return strings.ToUpper(bech32Encode("age-secret-key-pq-", seed))
}
