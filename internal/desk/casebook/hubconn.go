package casebook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/wire"
)

// hubConn is one hub of the desk: its clients and its connection's state.
type hubConn struct {
	id, url string
	ids     []age.Identity
	c       *client.Client // sync and actions
	ev      *client.Client // the event stream
	pin     string
	pins    *client.PinStore
	kick    chan struct{}

	callMu   sync.Mutex // serialises c's login
	loggedIn bool

	// Under the Book's mutex.
	st        HubStatus
	contacted bool // a contact with the hub was tried and its outcome is in st
}

func (h *hubConn) kickSync() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// newDefaultTransport is the transport of an [HubConfig.HTTPClient]
// without one: the client's own defaults.
func newDefaultTransport() http.RoundTripper {
	return http.DefaultTransport.(*http.Transport).Clone()
}

// call runs fn with h.c logged in, logging in first if needed and once
// more if the hub ended the login.
func (h *hubConn) call(ctx context.Context, fn func(*client.Client) error) error {
	h.callMu.Lock()
	defer h.callMu.Unlock()
	for try := 0; ; try++ {
		if !h.loggedIn {
			if err := login(ctx, h.c, h.ids); err != nil {
				return err
			}
			h.loggedIn = true
		}
		err := fn(h.c)
		if try == 0 && (errors.Is(err, &wire.Error{Code: wire.CodeUnauthorized}) || errors.Is(err, client.ErrNotLoggedIn)) {
			h.loggedIn = false
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

// logout ends h.c's login, if any.
func (h *hubConn) logout() {
	h.callMu.Lock()
	defer h.callMu.Unlock()
	if h.loggedIn {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		h.c.Logout(ctx)
		h.loggedIn = false
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
