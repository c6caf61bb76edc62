package daemon

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// checkAdminHost refuses admin requests whose Host is not this machine's.
// A loopback port is reachable from any web page open in a browser on the
// server (or on an operator's laptop with an ssh -L tunnel to it): through
// DNS rebinding, a page of evil.example that re-resolves its name to
// 127.0.0.1 reads same-origin answers, /backup included, and its requests
// still say "Host: evil.example:9090". So the Host must be a loopback
// literal (127.0.0.1, [::1], localhost, with any port: a tunnel may use
// another one) or one of admin_hosts; on a unix socket, which no browser
// reaches, an empty Host is fine too.
func checkAdminHost(unix bool, extra []string, next http.Handler) http.Handler {
	allowed := map[string]bool{}
	for _, h := range extra {
		allowed[strings.ToLower(h)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !adminHostAllowed(r.Host, unix, allowed) {
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, "difesad: the admin endpoints answer only requests addressed to this machine "+
				"(Host 127.0.0.1, [::1] or localhost, with any port); "+
				"another name may be a DNS rebinding attack from a web page: list it in admin_hosts if it is yours",
				http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// adminHostAllowed reports whether host, a request's Host header, names
// this machine or one of allowed (lowercase host or host:port entries).
func adminHostAllowed(host string, unix bool, allowed map[string]bool) bool {
	host = strings.ToLower(host)
	if host == "" {
		return unix
	}
	if allowed[host] {
		return true
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		name = host[1 : len(host)-1]
	} else if strings.Contains(host, ":") {
		return false // an IPv6 literal without brackets, or a stray colon
	}
	if allowed[name] {
		return true
	}
	if name == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(name)
	return err == nil && ip.Zone() == "" && ip.Unmap().IsLoopback()
}
