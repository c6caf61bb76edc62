package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"difesa.org/difesa/internal/cap"
)

// feedBase returns what the bulletin feed's links start with: the
// server's configured address (public_url or onion_address, without a
// trailing slash), so a feed reader that keeps only the entries still has
// working links. Of the two, the one whose host the request names wins,
// so a feed read over the onion service links to the onion service and
// one read over the clear web to the clear web; a request naming neither
// gets public_url, or else onion_address. Only with neither configured
// is the address taken from the request itself: its Host (if it is a
// plain host[:port]) over http, or https on a TLS connection. A Host that
// is not gets links without scheme and host, to be resolved against the
// feed's own address.
func (s *Server) feedBase(r *http.Request) string {
	var configured []*url.URL
	for _, a := range []string{s.publicURL, s.onionAddress} {
		u, err := url.Parse(a)
		if a != "" && err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil {
			configured = append(configured, u)
		}
	}
	// Scheme, host and path only: a query or fragment in the setting
	// would break every link.
	base := func(u *url.URL) string {
		return u.Scheme + "://" + strings.ToLower(u.Host) + strings.TrimRight(u.EscapedPath(), "/")
	}
	for _, u := range configured {
		if strings.EqualFold(u.Host, r.Host) {
			return base(u)
		}
	}
	if len(configured) > 0 {
		return base(configured[0])
	}
	if !plainHost(r.Host) {
		return ""
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + strings.ToLower(r.Host)
}

// plainHost reports whether h is a DNS name, IPv4 address or bracketed
// IPv6 address, with an optional port: nothing that could end the host
// part of a URL early.
func plainHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range []byte(h) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".-_:[]", c) >= 0) {
			return false
		}
	}
	u, err := url.Parse("http://" + h)
	return err == nil && u.Host == h && u.Hostname() != ""
}

// feedInfo returns the info block of a to show in the feed: the first in
// a language the request's Accept-Language asks for (by primary subtag,
// in the header's order, ignoring q-values of 0), or else the first.
func feedInfo(a *cap.Alert, r *http.Request) *cap.Info {
	if len(a.Infos) == 0 {
		return nil
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.TrimSpace(tag)
		if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err != nil || v <= 0 {
				continue
			}
		}
		if tag == "" || tag == "*" {
			continue
		}
		want := primarySubtag(tag)
		for i := range a.Infos {
			if primarySubtag(a.Infos[i].Language) == want {
				return &a.Infos[i]
			}
		}
	}
	return &a.Infos[0]
}

// primarySubtag returns a language tag's first subtag, lowercased; an info
// block without <language> is CAP's default, en-US.
func primarySubtag(tag string) string {
	if tag == "" {
		tag = "en-US"
	}
	p, _, _ := strings.Cut(strings.TrimSpace(tag), "-")
	return strings.ToLower(p)
}
