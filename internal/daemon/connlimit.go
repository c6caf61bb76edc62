package daemon

import (
	"net"
	"net/http"
	"sync"
	"time"

	"difesa.org/difesa/internal/config"
)

// IdleTimeout is how long a keep-alive connection may wait for its next
// request. Short: over Tor a new stream costs little, and an idle
// connection holds one of max_connections.
const IdleTimeout = 30 * time.Second

// newConnWait is how long a connection may stay open without sending a
// byte before it counts as idle when room is needed (as net/http's
// Shutdown counts it).
const newConnWait = 5 * time.Second

// LimitConnections makes srv serve at most n connections of ln at once
// (max_connections; n <= 0 means the default) and returns the listener to
// pass to srv.Serve. It sets srv.ConnState.
//
// Connections beyond the cap are not refused: they wait in the kernel's
// listen backlog, so a defender arriving at a busy moment is served a
// little later instead of failing. Behind Tor every connection comes from
// the local tor daemon, so this cap is the only bound there is, and it
// must not be a door anyone can shut: idle keep-alive connections (one
// request each, refreshed before the idle timeout) would otherwise hold
// every slot, and no alert or check-in would get in. So whenever the open
// connections come within a sixteenth of the cap, idle ones are closed to
// make room: those that served the fewest requests first (a flooder's
// connection makes one; a client that really keeps its connection alive
// reuses it), then those idle longest.
//
// An idle connection is closed by moving its read deadline to the past:
// net/http, waiting for the next request, then closes it. A request that
// has already arrived on it is served as usual (reading a request sets a
// new deadline), so closing never cuts a request halfway, nor an upload
// that is being committed; at worst a request that crosses the close on
// the wire is not read at all, and its client, seeing the connection
// closed, sends it again on a new one.
func LimitConnections(srv *http.Server, ln net.Listener, n int) net.Listener {
	if n <= 0 {
		n = config.DefaultMaxConnections
	}
	l := &connLimiter{
		Listener: ln,
		max:      n,
		soft:     n - max(1, n/16),
		conns:    map[net.Conn]*connInfo{},
		changed:  make(chan struct{}, 1),
		done:     make(chan struct{}),
		now:      time.Now,
	}
	l.readTimeout = srv.ReadTimeout
	srv.ConnState = l.connState
	return l
}

// connLimiter is the listener of [LimitConnections].
type connLimiter struct {
	net.Listener
	max, soft   int
	readTimeout time.Duration // the server's, restored on a reprieve
	now         func() time.Time
	// changed is signalled when a connection closes or turns idle.
	changed   chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	mu sync.Mutex
	// open counts the connections accepted and not yet closed, and
	// closing those of them told to close that have not yet.
	open, closing int
	conns         map[net.Conn]*connInfo
}

// connInfo is what the limiter knows of an open connection.
type connInfo struct {
	state   http.ConnState
	since   time.Time // of the state
	served  int       // requests read on it
	closing bool      // its read deadline was moved to the past
}

// closable reports whether the connection may be closed to make room:
// idle between requests, or open without a byte for newConnWait.
func (ci *connInfo) closable(now time.Time) bool {
	if ci.closing {
		return false
	}
	switch ci.state {
	case http.StateIdle:
		return true
	case http.StateNew:
		return now.Sub(ci.since) >= newConnWait
	}
	return false
}

// Accept waits for a free slot, making room from idle connections when the
// open ones are near the cap, then accepts.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		if l.reserve() {
			break
		}
		select {
		case <-l.changed:
		case <-time.After(newConnWait): // a new connection may have become closable
		case <-l.done:
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		l.release(nil)
		return nil, err
	}
	lc := &limitedConn{Conn: c, l: l}
	l.mu.Lock()
	l.conns[lc] = &connInfo{state: http.StateNew, since: l.now()}
	l.mu.Unlock()
	return lc, nil
}

// reserve takes a slot if one is free, and tells idle connections to
// close to stay under the soft cap (or, at the cap, to free a slot).
func (l *connLimiter) reserve() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for need := l.open + 1 - l.soft - l.closing; need > 0; need-- {
		c := l.pickLocked()
		if c == nil {
			break
		}
		l.conns[c].closing = true
		l.closing++
		// net/http, waiting for the next request, closes it, which
		// gives its slot back. Under l.mu: see connState.
		c.SetReadDeadline(time.Unix(1, 0))
	}
	if l.open < l.max {
		l.open++
		return true
	}
	return false
}

// pickLocked returns the closable connection that served the fewest
// requests, the one in that state longest among equals, or nil.
func (l *connLimiter) pickLocked() net.Conn {
	now := l.now()
	var pick net.Conn
	var best *connInfo
	for c, ci := range l.conns {
		if !ci.closable(now) {
			continue
		}
		if best == nil || ci.served < best.served || (ci.served == best.served && ci.since.Before(best.since)) {
			pick, best = c, ci
		}
	}
	return pick
}

// release gives back the slot of c (nil: of a connection never accepted).
func (l *connLimiter) release(c net.Conn) {
	l.mu.Lock()
	l.open--
	if ci := l.conns[c]; ci != nil {
		if ci.closing {
			l.closing--
		}
		delete(l.conns, c)
	}
	l.mu.Unlock()
	l.signal()
}

func (l *connLimiter) signal() {
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// connState follows each connection's state (http.Server.ConnState).
func (l *connLimiter) connState(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	ci := l.conns[c]
	if ci != nil && s != http.StateClosed && s != http.StateHijacked {
		if s == http.StateActive {
			ci.served++
			if ci.closing {
				// A request was read before the deadline took: it is
				// served, with the read deadline net/http had set.
				ci.closing = false
				l.closing--
				c.SetReadDeadline(l.readDeadline())
			}
		}
		ci.state, ci.since = s, l.now()
	}
	l.mu.Unlock()
	if s == http.StateIdle {
		l.signal()
	}
}

// readDeadline is the read deadline of a request read now: the server's
// ReadTimeout from now, or none.
func (l *connLimiter) readDeadline() time.Time {
	if l.readTimeout <= 0 {
		return time.Time{}
	}
	return time.Now().Add(l.readTimeout)
}

func (l *connLimiter) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitedConn gives its slot back when it is closed, once.
type limitedConn struct {
	net.Conn
	l    *connLimiter
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c) })
	return err
}
