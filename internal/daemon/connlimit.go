package daemon

import (
	"net"

	"golang.org/x/net/netutil"

	"difesa.org/difesa/internal/config"
)

// limitConnections serves at most n connections at once (max_connections).
// Further ones are not refused: they wait in the kernel's listen backlog
// until one closes, so a defender arriving at a busy moment is served a
// little later instead of failing. Behind Tor every connection comes from
// the local tor daemon, so this cap is the only bound on them there is: it
// protects the server's memory and file descriptors, not any one client's
// turn. Idle keep-alive connections count until http.Server's IdleTimeout
// closes them.
func limitConnections(ln net.Listener, n int) net.Listener {
	if n <= 0 {
		n = config.DefaultMaxConnections
	}
	return netutil.LimitListener(ln, n)
}
