package notify

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"
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

	mu sync.Mutex
	// accepted holds, per notification id, the addresses whose server
	// took the message, so that a retry (one address refused, the
	// server down halfway) does not mail the others again. In memory
	// only: after a restart every address gets it again (at least once).
	accepted map[string]map[string]bool
}

// maxPending bounds the notification ids [email.accepted] remembers.
const maxPending = 1024

// smtpHELO is what the client calls itself: not the machine's host name,
// which go-mail would send by default.
const smtpHELO = "localhost"

func newEmail(c ChannelConfig, n *network) (*email, error) {
	return &email{c: c, net: n, lang: c.language(), accepted: map[string]map[string]bool{}}, nil
}

// send mails n to every address of the channel, one message each, in one
// SMTP session: a message names only its own recipient, so responders
// never see each other's addresses (docs/notifications.md says why not
// Bcc). The copies share the notification's Message-ID, as copies of one
// message do. A retry of n mails only the addresses not yet accepted.
func (e *email) send(ctx context.Context, n Notification) error {
	m := render(e.lang, n)
	date := time.Now().UTC()
	e.mu.Lock()
	done := e.accepted[n.ID]
	e.mu.Unlock()
	msgs := make([]*mail.Msg, 0, len(e.c.To))
	var addrs []string
	for _, to := range e.c.To {
		if done[to] {
			continue
		}
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
		addrs = append(addrs, to)
	}
	if len(msgs) == 0 {
		return nil
	}
	client, err := mail.NewClient(e.c.SMTPHost, e.options()...)
	if err != nil {
		return err
	}
	err = client.DialAndSendWithContext(ctx, msgs...)
	e.mu.Lock()
	defer e.mu.Unlock()
	if err == nil {
		delete(e.accepted, n.ID)
		return nil
	}
	for i, msg := range msgs {
		if msg.IsDelivered() {
			if e.accepted[n.ID] == nil {
				if len(e.accepted) >= maxPending {
					clear(e.accepted)
				}
				e.accepted[n.ID] = map[string]bool{}
			}
			e.accepted[n.ID][addrs[i]] = true
		}
	}
	return err
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
