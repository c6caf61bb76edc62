package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"syscall"
)

// Explain turns a delivery error into a sentence for the person running
// the hub, who may not be a system administrator: what went wrong and
// what to check, followed by the technical error in brackets, without
// anything time-like a receiver put in it ([scrubTimes]).
func Explain(err error) string {
	if err == nil {
		return ""
	}
	return explain(err) + " [" + scrubTimes(err.Error()) + "]"
}

func explain(err error) string {
	var (
		status   *StatusError
		dns      *net.DNSError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		alert    tls.AlertError
		record   tls.RecordHeaderError
		smtpErr  *textproto.Error
	)
	msg := err.Error()
	switch {
	case errors.As(err, &status):
		switch {
		case status.Code == http.StatusUnauthorized || status.Code == http.StatusForbidden:
			return fmt.Sprintf("the receiver refused us (HTTP %d): check the secret or token shared with it", status.Code)
		case status.Code == http.StatusNotFound:
			return "the receiver does not know this address (HTTP 404): check the url, server or topic"
		case status.Code == http.StatusTooManyRequests:
			return "the receiver asks us to slow down (HTTP 429); we will try again later"
		case status.Code >= 500:
			return fmt.Sprintf("the receiver has a problem of its own (HTTP %d); we will try again later", status.Code)
		case status.Code >= 300 && status.Code < 400:
			return fmt.Sprintf("the receiver sent us elsewhere (HTTP %d): put the final address in the configuration", status.Code)
		}
		return fmt.Sprintf("the receiver refused the notification (HTTP %d)", status.Code)
	case errors.Is(err, ErrRedirect):
		return "the receiver redirected to another address, which difesa never follows: put the final address in the configuration"
	case errors.As(err, &dns):
		return fmt.Sprintf("the name %q could not be found (DNS): check the spelling of the address", dns.Name)
	case strings.Contains(msg, "proxyconnect") || (strings.Contains(msg, "socks connect") && errors.Is(err, syscall.ECONNREFUSED)):
		return "the proxy could not be reached: check that Tor (or the configured proxy) is running"
	case strings.Contains(msg, "socks connect"):
		// The proxy answered, but could not connect for us.
		return "the proxy could not reach the receiver (unknown name, no route, or refused): check the address, and that Tor is connected"
	case errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(msg, "connection refused"):
		return "connection refused: nothing answers at that address and port; check them, and that the receiver is running"
	case errors.As(err, &unknown), errors.As(err, &verify) && !errors.As(err, &hostname):
		return "TLS failure: the server's certificate is not signed by an authority we trust; check the address, or set ca_file for a private authority"
	case errors.As(err, &hostname):
		return "TLS failure: the server's certificate is for another name; check the address"
	case errors.As(err, &invalid):
		return "TLS failure: the server's certificate is expired or invalid"
	case errors.As(err, &alert), errors.As(err, &record), strings.Contains(msg, "tls:"):
		return "TLS failure: could not set up an encrypted connection (wrong port for the tls setting, or an outdated server)"
	case strings.Contains(msg, "does not support STARTTLS"):
		return "the mail server does not offer STARTTLS: if it uses port 465, set tls = \"implicit\""
	case errors.Is(err, ErrSMTPAuthMechanism):
		return "the mail server offers none of the login methods difesa uses (SCRAM-SHA-256, SCRAM-SHA-1, PLAIN or LOGIN, over TLS): check smtp_host and smtp_port, or ask the mail provider"
	case errors.As(err, &smtpErr) && (smtpErr.Code == 535 || smtpErr.Code == 534 || smtpErr.Code == 530 || smtpErr.Code == 454):
		return "the mail server refused the username or password (SMTP AUTH)"
	case strings.Contains(msg, "SMTP AUTH") || strings.Contains(msg, "auth"):
		return "SMTP authentication failed: check username and password, and that the server offers AUTH over TLS"
	case errors.As(err, &smtpErr) && smtpErr.Code >= 500:
		return fmt.Sprintf("the mail server refused the message (SMTP %d): check from and to", smtpErr.Code)
	case errors.As(err, &smtpErr):
		return fmt.Sprintf("the mail server could not take the message now (SMTP %d); we will try again later", smtpErr.Code)
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "no answer in time: the receiver (or the proxy) is slow or unreachable"
	case errors.Is(err, context.Canceled):
		return "cancelled (the server was stopping)"
	}
	return "delivery failed"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
