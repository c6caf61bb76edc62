package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"slices"
	"time"

	"difesa.org/difesa/internal/hub"
)

// Session is the live login of one bearer token.
type Session struct {
	Hub       string
	Recipient string
	// Expires is when the token stops working, unless it dies sooner.
	Expires time.Time
	done    <-chan struct{}
}

// Done is closed when the session ends for any reason: expiry (seen by
// [Service.Prune]), logout, or a manifest that leaves its recipient out.
func (s Session) Done() <-chan struct{} { return s.done }

type session struct {
	hub, recipient string
	started        uint64 // order of logins, to find a recipient's oldest
	expires        time.Time
	done           chan struct{}
}

// startLocked records a session for the bearer secret, ending the
// recipient's oldest one if it holds too many.
func (s *Service) startLocked(secret []byte, hubID, recipient string) {
	var oldest [32]byte
	n, found := 0, false
	for k, ss := range s.sessions {
		if ss.hub == hubID && ss.recipient == recipient {
			n++
			if !found || ss.started < s.sessions[oldest].started {
				oldest, found = k, true
			}
		}
	}
	if n >= MaxSessionsPerRecipient {
		s.endLocked(oldest)
	}
	s.logins++
	s.sessions[sha256.Sum256(secret)] = &session{
		hub: hubID, recipient: recipient, started: s.logins,
		expires: s.now().Add(TokenTTL), done: make(chan struct{}),
	}
}

// endLocked ends the session stored under key k.
func (s *Service) endLocked(k [32]byte) {
	if ss, ok := s.sessions[k]; ok {
		delete(s.sessions, k)
		close(ss.done)
	}
}

func parseBearer(bearer string) ([32]byte, bool) {
	secret, err := b64.DecodeString(bearer)
	if err != nil || len(secret) != secretSize {
		return [32]byte{}, false
	}
	return sha256.Sum256(secret), true
}

// Authenticate returns the session of a bearer token for hub h. The token
// must be live, belong to h, and its recipient must still be one of h's
// recipients. Sessions are found by the SHA-256 of the token, so the
// lookup's timing says nothing useful about tokens.
func (s *Service) Authenticate(h *hub.Hub, bearer string) (Session, error) {
	k, ok := parseBearer(bearer)
	if !ok {
		return Session{}, ErrUnauthorized
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.sessions[k]
	if !ok {
		return Session{}, ErrUnauthorized
	}
	if !s.now().Before(ss.expires) {
		s.endLocked(k)
		return Session{}, ErrUnauthorized
	}
	if subtle.ConstantTimeCompare([]byte(ss.hub), []byte(h.ID)) != 1 {
		return Session{}, ErrForbidden
	}
	if _, still := h.HasRecipient(ss.recipient); !still {
		return Session{}, ErrUnauthorized
	}
	return Session{Hub: ss.hub, Recipient: ss.recipient, Expires: ss.expires, done: ss.done}, nil
}

// Logout ends the session of a bearer token. An unknown or dead token is
// [ErrUnauthorized].
func (s *Service) Logout(bearer string) error {
	k, ok := parseBearer(bearer)
	if !ok {
		return ErrUnauthorized
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[k]; !ok {
		return ErrUnauthorized
	}
	s.endLocked(k)
	return nil
}

// EndRemoved ends the sessions, and forgets the open challenges, of every
// recipient of hub h's id that h (a hub with a new manifest) no longer
// lists. It returns how many sessions it ended.
func (s *Service) EndRemoved(h *hub.Hub) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, ss := range s.sessions {
		if _, still := h.HasRecipient(ss.recipient); ss.hub == h.ID && !still {
			s.endLocked(k)
			n++
		}
	}
	for r, list := range s.open[h.ID] {
		if _, still := h.HasRecipient(r); !still {
			for _, c := range slices.Clone(list) {
				s.dropChallengeLocked(c)
			}
		}
	}
	return n
}

// EndAll ends every session, telling their streams: the server is
// stopping, and sessions live in its memory only. Without it a shutdown
// would wait for every open event stream until its deadline.
func (s *Service) EndAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.sessions {
		s.endLocked(k)
	}
}
