package notify

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wneessen/go-mail/smtp"
)

// ErrSMTPAuthMechanism is returned when the mail server offers none of the
// SMTP AUTH mechanisms difesa uses.
var ErrSMTPAuthMechanism = errors.New("notify: the mail server offers no SMTP AUTH mechanism difesa uses")

// smtpMechanisms are the only SMTP AUTH mechanisms used, in order of
// preference. The connection is always encrypted by then, so PLAIN and
// LOGIN are as safe as the SCRAM ones; anything else a server offers
// (CRAM-MD5, NTLM, XOAUTH2…) is refused rather than tried.
var smtpMechanisms = []string{"SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "LOGIN"}

// pickAuth is the smtp.Auth given to go-mail: it chooses the first of
// [smtpMechanisms] the server offers, and fails with
// [ErrSMTPAuthMechanism] when there is none, where go-mail's own choice
// would fall back to discovering any mechanism it knows.
type pickAuth struct {
	user, pass, host string
	chosen           smtp.Auth
}

func (a *pickAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS {
		return "", nil, errors.New("notify: refusing SMTP AUTH over a connection without TLS")
	}
	offered := make([]string, len(server.Auth))
	for i, m := range server.Auth {
		offered[i] = strings.ToUpper(m)
	}
	for _, m := range smtpMechanisms {
		if !slices.Contains(offered, m) {
			continue
		}
		switch m {
		case "SCRAM-SHA-256":
			a.chosen = smtp.ScramSHA256Auth(a.user, a.pass)
		case "SCRAM-SHA-1":
			a.chosen = smtp.ScramSHA1Auth(a.user, a.pass)
		case "PLAIN":
			a.chosen = smtp.PlainAuth("", a.user, a.pass, a.host, false)
		case "LOGIN":
			a.chosen = smtp.LoginAuth(a.user, a.pass, a.host, false)
		}
		return a.chosen.Start(server)
	}
	if len(offered) == 0 {
		return "", nil, fmt.Errorf("%w (it offers no SMTP AUTH at all; difesa uses %s)", ErrSMTPAuthMechanism, strings.Join(smtpMechanisms, ", "))
	}
	return "", nil, fmt.Errorf("%w (it offers %s; difesa uses %s)", ErrSMTPAuthMechanism, strings.Join(offered, ", "), strings.Join(smtpMechanisms, ", "))
}

func (a *pickAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if a.chosen == nil {
		return nil, ErrSMTPAuthMechanism
	}
	return a.chosen.Next(fromServer, more)
}
