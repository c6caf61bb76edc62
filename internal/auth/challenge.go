package auth

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"slices"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"

	"difesa.org/difesa/internal/hub"
)

type challenge struct {
	id        string
	hub       string
	recipient string
	secret    []byte
	expires   time.Time
}

// Challenge encrypts a fresh secret to recipient, one of h's recipients.
// It returns the challenge id and the armored ciphertext. An unknown
// recipient gets [ErrBadChallenge] after the same work. The new challenge
// may replace an older open one (see the package documentation); it never
// fails for lack of room.
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
	if _, err := w.Write(secret); err != nil {
		return "", "", fmt.Errorf("auth: unable to encrypt challenge: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", "", fmt.Errorf("auth: unable to encrypt challenge: %w", err)
	}
	if err := aw.Close(); err != nil {
		return "", "", fmt.Errorf("auth: unable to encrypt challenge: %w", err)
	}
	if !known {
		return "", "", ErrBadChallenge
	}

	c := &challenge{id: b64.EncodeToString(randomBytes(16)), hub: h.ID, recipient: recipient, secret: secret}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.expires = s.now().Add(ChallengeTTL)
	s.makeRoomLocked(h.ID, recipient)
	if s.open[h.ID] == nil {
		s.open[h.ID] = map[string][]*challenge{}
	}
	s.open[h.ID][recipient] = append(s.open[h.ID][recipient], c)
	s.challenges[c.id] = c
	return c.id, buf.String(), nil
}

// makeRoomLocked drops what must go for one more challenge of recipient at
// hub: the expired ones of the hub, then the recipient's oldest if it is at
// its cap, then the oldest of the hub's busiest recipient if the hub is at
// its cap.
func (s *Service) makeRoomLocked(hubID, recipient string) {
	now := s.now()
	total := 0
	for _, list := range s.open[hubID] {
		for _, c := range slices.Clone(list) {
			if !now.Before(c.expires) {
				s.dropChallengeLocked(c)
			}
		}
	}
	for _, list := range s.open[hubID] {
		total += len(list)
	}
	if list := s.open[hubID][recipient]; len(list) >= s.perRecipient {
		s.dropChallengeLocked(list[0])
		return
	}
	if total < s.perHub {
		return
	}
	var busiest []*challenge
	for _, list := range s.open[hubID] {
		if len(list) > len(busiest) || len(list) == len(busiest) && list[0].expires.Before(busiest[0].expires) {
			busiest = list
		}
	}
	s.dropChallengeLocked(busiest[0])
}

// dropChallengeLocked forgets c.
func (s *Service) dropChallengeLocked(c *challenge) {
	delete(s.challenges, c.id)
	byRecipient := s.open[c.hub]
	list := slices.DeleteFunc(byRecipient[c.recipient], func(o *challenge) bool { return o == c })
	if len(list) == 0 {
		delete(byRecipient, c.recipient)
	} else {
		byRecipient[c.recipient] = list
	}
	if len(byRecipient) == 0 {
		delete(s.open, c.hub)
	}
}

// Redeem checks the decrypted secret of challenge id and returns a new
// bearer token. A challenge can be redeemed at most once, right or wrong,
// and only at the hub that issued it, while its recipient is still one of
// the hub's.
func (s *Service) Redeem(h *hub.Hub, id, response string) (token string, ttl time.Duration, err error) {
	// A malformed answer is simply wrong: the comparison below is
	// constant-time for answers of the secret's length, and an answer of
	// another length says nothing about the secret.
	got, decErr := b64.DecodeString(response)
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.challenges[id]
	if !ok {
		return "", 0, ErrBadChallenge
	}
	// Burnt whatever the answer.
	s.dropChallengeLocked(c)
	if subtle.ConstantTimeCompare(got, c.secret) != 1 || decErr != nil {
		return "", 0, ErrBadChallenge
	}
	if c.hub != h.ID {
		return "", 0, ErrBadChallenge
	}
	if !s.now().Before(c.expires) {
		return "", 0, ErrBadChallenge
	}
	if _, still := h.HasRecipient(c.recipient); !still {
		return "", 0, ErrBadChallenge
	}
	secret := randomBytes(secretSize)
	s.startLocked(secret, h.ID, c.recipient)
	return b64.EncodeToString(secret), TokenTTL, nil
}
