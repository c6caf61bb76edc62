package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// CheckAdminAddress reports whether addr may serve the admin endpoints: a
// unix socket (unix:PATH) or a TCP address on a loopback IP (127.0.0.1:9090,
// [::1]:9090). Those endpoints hand out the whole database, so they are
// never reachable from another machine; a host name is refused because
// what it resolves to can change.
func CheckAdminAddress(addr string) error {
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		if path == "" {
			return errors.New("unix: needs a path, e.g. unix:/run/difesa/admin.sock")
		}
		return nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return fmt.Errorf("%q is not HOST:PORT or unix:PATH (write e.g. 127.0.0.1:9090)", addr)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsLoopback() {
		return fmt.Errorf("%q is not on a loopback address: the admin endpoints serve the whole database, so use 127.0.0.1:PORT, [::1]:PORT or unix:PATH", addr)
	}
	return nil
}

func (c *Config) validateAdmin() []error {
	var errs []error
	for _, h := range c.AdminHosts {
		if err := checkAdminHost(h); err != nil {
			errs = append(errs, fmt.Errorf("admin_hosts: %w", err))
		}
	}
	if c.AdminListen == "" {
		if len(c.AdminHosts) > 0 {
			errs = append(errs, errors.New("admin_hosts: set without admin_listen"))
		}
		return errs
	}
	if len(errs) > 0 {
		return errs
	}
	if err := CheckAdminAddress(c.AdminListen); err != nil {
		return []error{fmt.Errorf("admin_listen: %w", err)}
	}
	if c.AdminListen == c.Listen && !strings.HasSuffix(c.Listen, ":0") { // :0 picks a free port each
		return []error{fmt.Errorf("admin_listen: %q is also listen: the admin endpoints need an address of their own", c.AdminListen)}
	}
	return nil
}

// adminHostName is a DNS name, as a Host header carries it.
var adminHostName = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)

// checkAdminHost checks one admin_hosts entry: a host name or IP literal
// ([::1] for IPv6), with or without a port, and nothing else (no scheme,
// path or wildcard).
func checkAdminHost(h string) error {
	host := h
	if name, port, err := net.SplitHostPort(h); err == nil {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%q: %q is not a port", h, port)
		}
		host = name
	} else if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		host = h[1 : len(h)-1]
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Is6() && !strings.HasPrefix(h, "[") || ip.Zone() != "" {
			return fmt.Errorf("%q: write an IPv6 address in brackets, without a zone, e.g. [fd00::1]:9090", h)
		}
		return nil
	}
	if len(host) > 253 || !adminHostName.MatchString(host) {
		return fmt.Errorf("%q is not a host name or host:port as a Host header carries it (no scheme, path or wildcard)", h)
	}
	return nil
}

// validateRetention checks the retention settings of the i-th hub.
func validateRetention(i int, h Hub) []error {
	var errs []error
	for _, s := range []struct {
		name string
		d    Duration
	}{{"delete_closed_after", h.DeleteClosedAfter}, {"warn_unread_after", h.WarnUnreadAfter}} {
		if d := time.Duration(s.d); d != 0 && d < time.Hour {
			errs = append(errs, fmt.Errorf("hub[%d].%s: %v is shorter than one hour (arrival times are kept by the hour); leave it out to turn it off", i, s.name, d))
		}
	}
	return errs
}
