package casebook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

// hubConn is one hub of the desk: its clients and its connection's state.
type hubConn struct {
	id, url string
	ids     []age.Identity
	sync    session        // the sync loop
	act     session        // the actions, which need not wait for a sync
	ev      *client.Client // the event stream
	pin     string
	pins    *client.PinStore
	kick    chan struct{}

	adminMu sync.Mutex // guards admin
	admin   *manifest.PublicKey

	// Under the Book's mutex.
	st        HubStatus
	contacted bool          // a contact with the hub was tried and its outcome is in st
	restr     restrictState // restrict.go
}

func (h *hubConn) kickSync() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// session is one logged-in client of a hub. A client's login must not
// run while it is in use, so each user of a hub (the sync loop, the
// actions) has its own.
type session struct {
	c   *client.Client
	ids []age.Identity

	mu       sync.Mutex // serialises the calls, and so the logins
	loggedIn bool
}

// call runs fn with the session's client logged in, logging in first if
// needed and once more if the hub ended the login.
func (s *session) call(ctx context.Context, fn func(*client.Client) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for try := 0; ; try++ {
		if !s.loggedIn {
			if err := login(ctx, s.c, s.ids); err != nil {
				return err
			}
			s.loggedIn = true
		}
		err := fn(s.c)
		if try == 0 && (errors.Is(err, &wire.Error{Code: wire.CodeUnauthorized}) || errors.Is(err, client.ErrNotLoggedIn)) {
			s.loggedIn = false
			continue
		}
		return err
	}
}

// login logs c in with the first of ids the hub knows, as the CLI does.
func login(ctx context.Context, c *client.Client, ids []age.Identity) error {
	var last error
	for _, id := range ids {
		if _, err := client.RecipientOf(id); err != nil {
			continue
		}
		err := c.Login(ctx, id)
		if err == nil {
			return nil
		}
		last = err
		if !errors.Is(err, &wire.Error{Code: wire.CodeBadChallenge}) {
			break
		}
	}
	if last == nil {
		last = errors.New("no identity can log in")
	}
	return fmt.Errorf("casebook: unable to log in to hub %q: %w", c.HubID(), last)
}

// logout ends the session's login, if any.
func (s *session) logout() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loggedIn {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.c.Logout(ctx)
		s.loggedIn = false
	}
}

// unreachable reports whether err means the hub could not be reached,
// rather than an answer from it.
func unreachable(err error) bool {
	var ne net.Error
	var oe *net.OpError
	var we *wire.Error
	switch {
	case errors.As(err, &we):
		return we.Status >= 500 && we.Status != 0
	case errors.As(err, &oe), errors.As(err, &ne):
		return true
	}
	return false
}

// onlineErr refuses an action on a hub the desk knows to be unreachable.
// The caller holds the Book's mutex.
func (h *hubConn) onlineErrLocked() error {
	if h.contacted && !h.st.Online {
		return fmt.Errorf("%w (hub %q)", ErrReadOnly, h.id)
	}
	return nil
}
