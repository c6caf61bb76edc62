package cli

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/wire"
)

const torHint = "over Tor use -proxy socks5h://127.0.0.1:9050"

// genericHints explains network and API errors that the command did not
// explain itself.
func genericHints(err error) []string {
	var we *wire.Error
	if errors.As(err, &we) {
		switch we.Code {
		case wire.CodeUnauthorized:
			return []string{"the login expired or was refused; run the command again"}
		case wire.CodeForbidden:
			return []string{"this key belongs to another hub; check -hub and -i"}
		case wire.CodeNotFound:
			return []string{"check the hub address (and the submission id: \"difesa inbox\" lists them)"}
		case wire.CodeRecipientMismatch:
			return []string{"the hub's keys changed while you were sending; run the same command again"}
		case wire.CodeTooManyRequests, wire.CodeUnavailable, wire.CodePoWRequired, wire.CodePoWInvalid:
			return []string{"the hub is busy; wait a few minutes and try again"}
		case wire.CodeStorageFull:
			return []string{"the hub is out of disk space; try later, or tell the people who run it"}
		case wire.CodeQuotaExceeded:
			return []string{"this hub is full and takes nothing more until its responders make room; reach them another way (a phone call, a trusted contact) and tell them"}
		case wire.CodeInternal:
			return []string{"the hub had a problem; try again later, or tell the people who run it"}
		}
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		return []string{"the hub did not answer in time; over Tor this can happen, try again"}
	}
	if isProxyError(err) {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return []string{"the proxy refused the connection: is Tor (or the proxy) running, and is -proxy right?"}
		}
		return []string{"the proxy could not reach the hub; check the hub address, and that Tor is connected"}
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return []string{"is the hub address right? " + torHint}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return []string{"the hub's host name is unknown; is the address right? " + torHint}
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return []string{"the connection was cut; try again"}
	}
	if errors.Is(err, client.ErrBadHubURL) {
		return []string{"a hub address looks like http://xyz…xyz.onion/hubs/NAME; ask the people who run the hub"}
	}
	if errors.Is(err, client.ErrBadProxy) {
		return []string{"for Tor use -proxy socks5h://127.0.0.1:9050"}
	}
	return nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isProxyError reports whether err happened talking to the proxy (Go's
// transport labels those "proxyconnect" or "socks connect").
func isProxyError(err error) bool {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "proxyconnect" {
		return true
	}
	return strings.Contains(err.Error(), "socks connect")
}

// notFoundHint explains a not_found answer where it is clear what was not
// found.
func notFoundHint(err error, hint string) error {
	if errors.Is(err, &wire.Error{Code: wire.CodeNotFound}) {
		return withHints(err, hint)
	}
	return err
}

const (
	noHubHint        = "there is no such hub at this address: check -hub, and the hub's name after /hubs/"
	noSubmissionHint = "there is no such submission on this hub: \"difesa inbox\" lists them (it may have been deleted)"
)
