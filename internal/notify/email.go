package notify

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/wneessen/go-mail"
)

// email sends a plain-text mail through an SMTP submission server, always
// over TLS (STARTTLS or implicit) and with SMTP AUTH when a username is
// set.
type email struct {
	c    ChannelConfig
	net  *network
	lang string
}

// smtpHELO is what the client calls itself: not the machine's host name,
// which go-mail would send by default.
const smtpHELO = "localhost"

func newEmail(c ChannelConfig, n *network) (*email, error) {
	return &email{c: c, net: n, lang: c.language()}, nil
}

// send mails n to every address of the channel, one message each, in one
// SMTP session: a message names only its own recipient, so responders
// never see each other's addresses (docs/notifications.md says why not
// Bcc). The copies share the notification's Message-ID, as copies of one
// message do.
func (e *email) send(ctx context.Context, n Notification) error {
	m := render(e.lang, n)
	date := time.Now().UTC()
	msgs := make([]*mail.Msg, 0, len(e.c.To))
	for _, to := range e.c.To {
		msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
		if err := msg.From(e.c.From); err != nil {
			return fmt.Errorf("from: %w", err)
		}
		if err := msg.To(to); err != nil {
			return fmt.Errorf("to: %w", err)
		}
		msg.Subject(m.Title)
		msg.SetBodyString(mail.TypeTextPlain, m.Body)
		// Our own id and a UTC date: go-mail's defaults would name the
		// host and its time zone.
		msg.SetMessageIDWithValue(n.ID + "@difesa.invalid")
		msg.SetDateWithValue(date)
		if n.Urgent {
			setUrgent(msg)
		}
		msgs = append(msgs, msg)
	}
	client, err := mail.NewClient(e.c.SMTPHost, e.options()...)
	if err != nil {
		return err
	}
	return client.DialAndSendWithContext(ctx, msgs...)
}

// setUrgent marks a message urgent with the values RFC 2156 defines
// (Importance: high, Priority: urgent), and the X-Priority most clients
// read. go-mail's ImportanceUrgent writes "Importance: urgent" and
// "Priority: 1", which are not valid values.
func setUrgent(msg *mail.Msg) {
	msg.SetGenHeader(mail.HeaderImportance, "high")
	msg.SetGenHeader(mail.HeaderPriority, "urgent")
	msg.SetGenHeader(mail.HeaderXPriority, "1 (Highest)")
}

func (e *email) options() []mail.Option {
	opts := []mail.Option{
		mail.WithPort(e.c.smtpPort()),
		mail.WithTimeout(e.net.timeout),
		mail.WithHELO(smtpHELO),
		mail.WithTLSConfig(e.net.tlsConfig(e.c.SMTPHost)),
		// Our dialer, so that the channel's proxy is used; it does the
		// TLS handshake itself for implicit TLS.
		mail.WithDialContextFunc(e.dial),
	}
	if e.c.implicitTLS() {
		opts = append(opts, mail.WithSSL())
	} else {
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if e.c.Username != "" {
		// Only the mechanisms of smtpMechanisms, never go-mail's
		// discovery of any other.
		opts = append(opts, mail.WithSMTPAuthCustom(&pickAuth{user: e.c.Username, pass: e.c.Password, host: e.c.SMTPHost}))
	} else {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthNoAuth))
	}
	return opts
}

func (e *email) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := e.net.dial(ctx, network, addr)
	if err != nil || !e.c.implicitTLS() {
		return conn, err
	}
	tc := tls.Client(conn, e.net.tlsConfig(e.c.SMTPHost))
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}
