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
// connections come near the cap, the ones that have been idle longest are
// closed to make room, as net/http does at shutdown: a client whose
// idle connection is closed opens a new one for its next request.
func LimitConnections(srv *http.Server, ln net.Listener, n int) net.Listener {
	if n <= 0 {
		n = config.DefaultMaxConnections
	}
	l := &connLimiter{
		Listener: ln,
		max:      n,
		soft:     n - max(1, n/16),
		idle:     map[net.Conn]idleConn{},
		changed:  make(chan struct{}, 1),
		done:     make(chan struct{}),
		now:      time.Now,
	}
	srv.ConnState = l.connState
	return l
}

// connLimiter is the listener of [LimitConnections].
type connLimiter struct {
	net.Listener
	max, soft int
	now       func() time.Time
	// changed is signalled when a connection closes or turns idle.
	changed   chan struct{}
	done      chan struct{}
	closeOnce sync.Once

	mu   sync.Mutex
	open int
	// idle are the open connections that may be closed to make room:
	// idle between requests, or new for longer than newConnWait.
	idle map[net.Conn]idleConn
}

type idleConn struct {
	since time.Time
	fresh bool // StateNew: idle only after newConnWait
}

// Accept waits for a free slot, making one from idle connections when the
// open ones are near the cap, then accepts.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		victims, ok := l.reserve()
		for _, c := range victims {
			c.Close() // gives its slot back
		}
		if ok {
			break
		}
		if len(victims) > 0 {
			continue
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
		l.release()
		return nil, err
	}
	return &limitedConn{Conn: c, l: l}, nil
}

// reserve takes a slot if one is free, and returns the idle connections to
// close to stay under the soft cap (or, at the cap, to free a slot).
func (l *connLimiter) reserve() (victims []net.Conn, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	need := l.open + 1 - l.soft
	if need > 0 {
		victims = l.longestIdle(need)
	}
	if l.open < l.max {
		l.open++
		return victims, true
	}
	return victims, false
}

// longestIdle removes from l.idle and returns up to n of its connections,
// those idle longest first.
func (l *connLimiter) longestIdle(n int) []net.Conn {
	now := l.now()
	var out []net.Conn
	for len(out) < n {
		var pick net.Conn
		var since time.Time
		for c, ic := range l.idle {
			if ic.fresh && now.Sub(ic.since) < newConnWait {
				continue
			}
			if pick == nil || ic.since.Before(since) {
				pick, since = c, ic.since
			}
		}
		if pick == nil {
			break
		}
		delete(l.idle, pick)
		out = append(out, pick)
	}
	return out
}

func (l *connLimiter) release() {
	l.mu.Lock()
	l.open--
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
	switch s {
	case http.StateNew:
		l.idle[c] = idleConn{since: l.now(), fresh: true}
	case http.StateIdle:
		l.idle[c] = idleConn{since: l.now()}
	default: // active, hijacked, closed
		delete(l.idle, c)
	}
	l.mu.Unlock()
	if s == http.StateIdle {
		l.signal()
	}
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
	c.once.Do(c.l.release)
	return err
}
