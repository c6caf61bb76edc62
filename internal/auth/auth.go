package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/store"
)

// Errors of the login flow.
var (
	ErrBadChallenge = errors.New("auth: wrong, used or expired challenge")
	ErrUnauthorized = errors.New("auth: missing, expired or unknown token")
	ErrForbidden    = errors.New("auth: token not valid for this hub")
)

// Defaults for [Service].
const (
	ChallengeTTL = 2 * time.Minute
	TokenTTL     = time.Hour
	// MaxChallengesPerRecipient is how many challenges one recipient may
	// have open; a new one replaces the oldest.
	MaxChallengesPerRecipient = 4
	// MaxChallengesPerHub is how many challenges one hub may have open; a
	// new one replaces the oldest of the recipient with the most.
	MaxChallengesPerHub = 256
	// MaxSessionsPerRecipient is how many live tokens one recipient may
	// hold; a new login ends the oldest.
	MaxSessionsPerRecipient = 32
	// PruneEvery is how often [Service.Run] ends expired sessions and
	// forgets expired challenges.
	PruneEvery = time.Minute
	secretSize = 32
)

var b64 = base64.RawURLEncoding

// Service issues challenges and tokens, and keeps both in memory.
type Service struct {
	now func() time.Time

	// perRecipient and perHub are the challenge caps, pruneEvery the
	// period of Run; tests lower them.
	perRecipient, perHub int
	pruneEvery           time.Duration

	mu sync.Mutex
	// challenges holds the open challenges by id; open lists them per
	// hub and recipient, oldest first.
	challenges map[string]*challenge
	open       map[string]map[string][]*challenge
	// sessions holds live tokens by the SHA-256 of their secret.
	sessions map[[32]byte]*session
	// logins counts logins, to order a recipient's sessions.
	logins uint64
	// decoy receives the challenges asked for unknown recipients, so that
	// they cost the same work as real ones.
	decoy age.Recipient
}

// New returns a login service. now replaces time.Now (nil: time.Now). If st
// is not nil, New first deletes from it the sessions that versions before
// this one kept on disk, with their expiry to the nanosecond.
func New(st *store.Store, now func() time.Time) (*Service, error) {
	if now == nil {
		now = time.Now
	}
	if st != nil {
		if err := st.DropTokens(); err != nil {
			return nil, fmt.Errorf("auth: unable to forget stored sessions: %w", err)
		}
	}
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		return nil, fmt.Errorf("auth: unable to make decoy key: %w", err)
	}
	return &Service{
		now:          now,
		perRecipient: MaxChallengesPerRecipient,
		perHub:       MaxChallengesPerHub,
		pruneEvery:   PruneEvery,
		challenges:   map[string]*challenge{},
		open:         map[string]map[string][]*challenge{},
		sessions:     map[[32]byte]*session{},
		decoy:        id.Recipient(),
	}, nil
}

// Run calls [Service.Prune] every [PruneEvery] until ctx is done.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.pruneEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Prune()
		}
	}
}

// Prune ends the sessions that expired, telling their streams, and forgets
// the challenges that expired. It returns how many sessions it ended.
func (s *Service) Prune() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, c := range s.challenges {
		if !now.Before(c.expires) {
			s.dropChallengeLocked(c)
		}
	}
	n := 0
	for k, ss := range s.sessions {
		if !now.Before(ss.expires) {
			s.endLocked(k)
			n++
		}
	}
	return n
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
