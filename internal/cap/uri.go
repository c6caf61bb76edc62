package cap

import (
	"net/netip"
	"strings"
)

// webURL reports whether s is an absolute http or https URL that difesa
// accepts in <web>: RFC 3986's grammar, exactly, for
//
//	scheme "://" host [ ":" port ] path-abempty [ "?" query ] [ "#" fragment ]
//
// which every xs:anyURI processor accepts (libxml2 checks xs:anyURI with
// its RFC 3986 parser), with difesa's further limits: the scheme is http
// or https in lowercase; there is no user name or password, which could
// disguise the host; the host is a DNS name (ASCII letters, digits, "-"
// and "_" in dot-separated labels: write international names in their
// xn-- form), an IPv4 address, or an IPv6 address in brackets without a
// zone; a port has 1 to 5 digits and is at most 65535. Anything RFC 3986
// does not allow is refused rather than repaired: "[" or "]" outside the
// host, a second "#", "%" not followed by two hex digits, spaces, non-ASCII
// characters and the characters RFC 3986 excludes ("<>\"{}|\\^`").
func webURL(s string) bool {
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(s, "http://"); !ok {
			return false
		}
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if !authority(rest[:end]) {
		return false
	}
	rest = rest[end:]
	rest, fragment, hasFragment := strings.Cut(rest, "#")
	if hasFragment && !uriChars(fragment, "/?") {
		return false
	}
	path, query, hasQuery := strings.Cut(rest, "?")
	if hasQuery && !uriChars(query, "/?") {
		return false
	}
	return uriChars(path, "/")
}

// CheckWeb returns an [*Error] with [CodeBadValue] unless s is a URL that
// [Check] accepts in <web> (see [webURL]'s rules in docs/bulletins.md), so
// that tools writing bulletins refuse what the checker would.
func CheckWeb(s string) error {
	if e := badWeb(s); e != nil {
		return e
	}
	return nil
}

// badWeb is [CheckWeb]'s refusal, or nil.
func badWeb(s string) *Error {
	if !webURL(s) {
		return errorf(CodeBadValue, "%s is not an absolute http or https URL (RFC 3986, no user name, a DNS name or IP address as host)", excerpt(s))
	}
	return nil
}

// authority checks host [":" port], with no userinfo.
func authority(a string) bool {
	host, port := a, ""
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return false
		}
		host, port = a[:end+1], a[end+1:]
		if port != "" && port[0] != ':' {
			return false
		}
	} else if i := strings.IndexByte(a, ':'); i >= 0 {
		host, port = a[:i], a[i:]
	}
	if port != "" && !validPort(port[1:]) {
		return false
	}
	if strings.HasPrefix(host, "[") {
		// IP-literal: an IPv6 address (IPvFuture and zones are refused).
		addr, err := netip.ParseAddr(host[1 : len(host)-1])
		return err == nil && addr.Is6() && addr.Zone() == ""
	}
	return dnsName(host)
}

// validPort reports whether p is 1 to 5 digits naming at most 65535.
func validPort(p string) bool {
	if len(p) == 0 || len(p) > 5 || !allDigits(p) {
		return false
	}
	n := 0
	for _, c := range []byte(p) {
		n = n*10 + int(c-'0')
	}
	return n <= 65535
}

// dnsName reports whether h is dot-separated labels of ASCII letters,
// digits, "-" and "_", each 1 to 63 bytes, 253 in all: a subset of RFC
// 3986's reg-name that also covers dotted IPv4 addresses.
func dnsName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if len(label) == 0 || len(label) > 63 {
			return false
		}
		for _, c := range []byte(label) {
			if !isLetter(c) && !isDigit(c) && c != '-' && c != '_' {
				return false
			}
		}
	}
	return true
}

// uriChars reports whether s is only RFC 3986 pchar (unreserved,
// pct-encoded, sub-delims, ":" and "@") and the bytes of extra.
func uriChars(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isLetter(c) || isDigit(c) || strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0:
		case strings.IndexByte(extra, c) >= 0:
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
