package desk

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"

	"difesa.org/difesa/internal/desk/casebook"
)

// sessionCookie is the name of the desk's session cookie.
const sessionCookie = "difesa_desk"

// secretParam is the query parameter of the one-time secret in the
// printed address.
const secretParam = "k"

// randomToken returns 32 random bytes (256 bits), base64url without
// padding.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// access holds the one-time secret and the session it was exchanged for,
// in memory only.
type access struct {
	mu       sync.Mutex
	secret   []byte // nil once used
	sessions map[[32]byte]*session
	opened   chan struct{} // closed once the secret is used
}

// session is the browser that exchanged the secret.
type session struct {
	csrf string

	mu   sync.Mutex
	lang string
	// searches are the session's recent searches by a random token: the
	// address of a search's results names the token, never the words
	// (the browser keeps addresses, and form data, in its history).
	searches map[string]casebook.Filter
	order    []string
	// lastWrite is where the last export to a folder went, and of which
	// case ("hub/id"), for the case page to say.
	lastWrite, lastWriteCase string
}

// maxSearches bounds the searches a session remembers.
const maxSearches = 50

// keepSearch remembers f and returns its token.
func (s *session) keepSearch(f casebook.Filter) string {
	tok := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.searches == nil {
		s.searches = map[string]casebook.Filter{}
	}
	s.searches[tok] = f
	s.order = append(s.order, tok)
	if len(s.order) > maxSearches {
		delete(s.searches, s.order[0])
		s.order = s.order[1:]
	}
	return tok
}

// search returns the search of a token, if the session has it.
func (s *session) search(tok string) (casebook.Filter, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.searches[tok]
	return f, ok
}

func (s *session) language() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lang
}

func (s *session) setLanguage(l string) {
	s.mu.Lock()
	s.lang = l
	s.mu.Unlock()
}

func newAccess() (*access, string) {
	s := randomToken()
	return &access{secret: []byte(s), sessions: map[[32]byte]*session{}, opened: make(chan struct{})}, s
}

// exchange trades the one-time secret for a new session token. It
// succeeds once; every later call fails, whatever it is given.
func (a *access) exchange(given string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.secret == nil {
		return "", false
	}
	if subtle.ConstantTimeCompare(a.secret, []byte(given)) != 1 {
		return "", false
	}
	a.secret = nil
	close(a.opened)
	tok := randomToken()
	a.sessions[sha256.Sum256([]byte(tok))] = &session{csrf: randomToken()}
	return tok, true
}

// session returns the session of r's cookie, or nil. Sessions are looked
// up by the SHA-256 of the token: a map lookup on a hash reveals nothing
// of the token through its timing.
func (a *access) session(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sessions[sha256.Sum256([]byte(c.Value))]
}

// checkCSRF reports whether the form's token is the session's.
func (s *session) checkCSRF(given string) bool {
	return subtle.ConstantTimeCompare([]byte(s.csrf), []byte(given)) == 1
}
