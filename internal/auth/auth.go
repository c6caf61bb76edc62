// Package auth logs responders in with their own age identities, so there is
// no password to phish, reuse or store.
//
// The server encrypts a random secret to one of the hub's recipients; only
// the holder of the matching identity can decrypt it and send it back, in
// exchange for a short-lived bearer token. The server keeps challenges in
// memory and only the SHA-256 of tokens on disk.
//
// # Threat model
//
// A copy of the database yields no usable token. A token is bound to one hub
// and to the recipient that logged in: when the recipient leaves the hub, the
// token stops working at once, because every request checks it against the
// hub's current recipients.
package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"

	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/store"
)

// Errors of the login flow.
var (
	ErrBadChallenge = errors.New("auth: wrong, used or expired challenge")
	ErrUnauthorized = errors.New("auth: missing, expired or unknown token")
	ErrForbidden    = errors.New("auth: token not valid for this hub")
	ErrBusy         = errors.New("auth: too many pending challenges")
)

// Defaults for [Service].
const (
	ChallengeTTL     = 2 * time.Minute
	TokenTTL         = time.Hour
	MaxOpenChallenge = 1024
	secretSize       = 32
)

var b64 = base64.RawURLEncoding

type challenge struct {
	hub       string
	recipient string
	secret    []byte
	expires   time.Time
}

// Service issues challenges and tokens.
type Service struct {
	store *store.Store
	now   func() time.Time

	mu         sync.Mutex
	challenges map[string]challenge
	// decoy receives the challenges asked for unknown recipients, so that
	// they cost the same work as real ones.
	decoy age.Recipient
}

// New returns a login service over st.
func New(st *store.Store, now func() time.Time) (*Service, error) {
	if now == nil {
		now = time.Now
	}
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		return nil, fmt.Errorf("auth: unable to make decoy key: %w", err)
	}
	return &Service{store: st, now: now, challenges: map[string]challenge{}, decoy: id.Recipient()}, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// Challenge encrypts a fresh secret to recipient, one of h's recipients.
// It returns the challenge id and the armored ciphertext.
func (s *Service) Challenge(h *hub.Hub, recipient string) (id, ciphertext string, err error) {
	r, known := h.HasRecipient(recipient)
	if !known {
		r = s.decoy
	}
	secret := randomBytes(secretSize)
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, r)
	if err != nil {
		return "", "", fmt.Errorf("auth: unable to encrypt challenge: %w", err)
	}
	w.Write(secret)
	if err := w.Close(); err != nil {
		return "", "", err
	}
	if err := aw.Close(); err != nil {
		return "", "", err
	}
	if !known {
		return "", "", ErrBadChallenge
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	if len(s.challenges) >= MaxOpenChallenge {
		return "", "", ErrBusy
	}
	id = b64.EncodeToString(randomBytes(16))
	s.challenges[id] = challenge{hub: h.ID, recipient: recipient, secret: secret, expires: s.now().Add(ChallengeTTL)}
	return id, buf.String(), nil
}

func (s *Service) pruneLocked() {
	now := s.now()
	for id, c := range s.challenges {
		if !now.Before(c.expires) {
			delete(s.challenges, id)
		}
	}
}

// Redeem checks the decrypted secret of challenge id and returns a new
// bearer token. A challenge can be redeemed at most once, right or wrong.
func (s *Service) Redeem(h *hub.Hub, id, response string) (token string, ttl time.Duration, err error) {
	s.mu.Lock()
	c, ok := s.challenges[id]
	delete(s.challenges, id)
	s.mu.Unlock()

	got, decErr := b64.DecodeString(response)
	if decErr != nil || len(got) != secretSize {
		got = make([]byte, secretSize)
	}
	match := subtle.ConstantTimeCompare(got, c.secret) == 1
	if !ok || !match || decErr != nil || c.hub != h.ID || !s.now().Before(c.expires) {
		return "", 0, ErrBadChallenge
	}
	if _, still := h.HasRecipient(c.recipient); !still {
		return "", 0, ErrBadChallenge
	}
	secret := randomBytes(secretSize)
	err = s.store.PutToken(secret, store.Token{Hub: h.ID, Recipient: c.recipient, Expires: s.now().Add(TokenTTL)})
	if err != nil {
		return "", 0, err
	}
	return b64.EncodeToString(secret), TokenTTL, nil
}

// Authenticate returns the session of a bearer token for hub h. The token
// must belong to h, and its recipient must still be one of h's recipients.
func (s *Service) Authenticate(h *hub.Hub, bearer string) (store.Token, error) {
	secret, err := b64.DecodeString(bearer)
	if err != nil || len(secret) != secretSize {
		return store.Token{}, ErrUnauthorized
	}
	t, err := s.store.LookupToken(secret)
	if errors.Is(err, store.ErrNotFound) {
		return store.Token{}, ErrUnauthorized
	}
	if err != nil {
		return store.Token{}, err
	}
	if subtle.ConstantTimeCompare([]byte(t.Hub), []byte(h.ID)) != 1 {
		return store.Token{}, ErrForbidden
	}
	if _, still := h.HasRecipient(t.Recipient); !still {
		return store.Token{}, ErrUnauthorized
	}
	return t, nil
}

// Logout ends the session of a bearer token.
func (s *Service) Logout(bearer string) error {
	secret, err := b64.DecodeString(bearer)
	if err != nil {
		return ErrUnauthorized
	}
	return s.store.DeleteToken(secret)
}
