package client

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// hubIDPattern is the shape of hub ids (docs/api.md).
var hubIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// ErrBadHubURL is wrapped by every error of [ParseHubURL].
var ErrBadHubURL = errors.New("not a hub address")

// ParseHubURL splits a hub's address, as people write it
// ("http://HOST:PORT/hubs/ID", an onion host in production), into the
// server's base URL (scheme, host and any path prefix, without a trailing
// slash) and the hub id.
//
// Only http and https are accepted. Addresses with user names, passwords,
// queries or fragments are refused, since they would either leak or be
// silently ignored.
func ParseHubURL(s string) (base, hub string, err error) {
	bad := func(why string) error {
		return fmt.Errorf("%w: %q: %s", ErrBadHubURL, s, why)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "", bad("the address is empty")
	}
	if !strings.Contains(s, "://") {
		return "", "", bad("it has no scheme (http:// or https://)")
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", "", bad("it does not parse as a URL")
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return "", "", bad("it has no scheme (http:// or https://)")
	default:
		return "", "", bad("the scheme must be http or https")
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return "", "", bad("it has no host")
	}
	if u.User != nil {
		return "", "", bad("it must not contain a user name or password")
	}
	if u.RawQuery != "" || u.ForceQuery {
		return "", "", bad("it must not have a query (?…)")
	}
	if u.Fragment != "" {
		return "", "", bad("it must not have a fragment (#…)")
	}
	if p := u.Port(); p != "" {
		if strings.TrimLeft(p, "0123456789") != "" || len(p) > 5 {
			return "", "", bad("the port is not a number")
		}
	}
	path := strings.TrimSuffix(u.Path, "/")
	i := strings.LastIndex(path, "/hubs/")
	if i < 0 {
		return "", "", bad("the path must end in /hubs/ID")
	}
	prefix, hub := path[:i], path[i+len("/hubs/"):]
	if !hubIDPattern.MatchString(hub) {
		return "", "", bad("the hub id must be 1 to 32 lowercase letters, digits or dashes")
	}
	if strings.Contains(prefix, "//") || strings.Contains(prefix, "/../") || strings.HasSuffix(prefix, "/..") {
		return "", "", bad("the path is not clean")
	}
	b := &url.URL{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(u.Host), Path: prefix}
	return b.String(), hub, nil
}
