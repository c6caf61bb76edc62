package notify

import (
	"crypto/tls"
	"errors"
	"io"
	"mime"
	"net"
	"net/mail"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"difesa.org/difesa/internal/wire"
)

// smtpServer is an SMTP submission server on 127.0.0.1 that wants TLS
// (STARTTLS, or implicit TLS) before AUTH PLAIN, and records messages.
type smtpServer struct {
	addr   string
	caFile string
	// mechs are the SMTP AUTH mechanisms offered (PLAIN by default).
	mechs []string

	mu       sync.Mutex
	tried    []string        // the mechanisms clients asked for
	refuse   map[string]bool // recipients refused with 550
	messages []smtpMessage
	authed   []string
	sawTLS   []bool
}

type smtpMessage struct {
	From string
	To   []string
	Data []byte
}

const (
	smtpUser = "notifier@example.org"
	smtpPass = "correct horse"
)

func newSMTPServer(t testing.TB, implicit bool, names ...string) *smtpServer {
	t.Helper()
	return newSMTPServerOffering(t, implicit, []string{sasl.Plain}, names...)
}

// newSMTPServerOffering is newSMTPServer offering the given SMTP AUTH
// mechanisms (none: no AUTH extension at all). Only PLAIN can succeed.
func newSMTPServerOffering(t testing.TB, implicit bool, mechs []string, names ...string) *smtpServer {
	t.Helper()
	cert, caFile := testCert(t, names...)
	srv := &smtpServer{caFile: caFile, mechs: mechs}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{srv: srv, conn: c}, nil
	}))
	s.Domain = "localhost"
	s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.AllowInsecureAuth = false
	var ln net.Listener
	var err error
	if implicit {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", s.TLSConfig)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	srv.addr = ln.Addr().String()
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return srv
}

func (s *smtpServer) port(t testing.TB) int {
	_, p, _ := net.SplitHostPort(s.addr)
	var n int
	for _, c := range p {
		n = n*10 + int(c-'0')
	}
	return n
}

type smtpSession struct {
	srv  *smtpServer
	conn *smtp.Conn
	user string
	msg  smtpMessage
}

func (s *smtpSession) AuthMechanisms() []string { return s.srv.mechs }

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	s.srv.mu.Lock()
	s.srv.tried = append(s.srv.tried, mech)
	s.srv.mu.Unlock()
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != smtpUser || password != smtpPass {
			return errors.New("invalid credentials")
		}
		s.user = username
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.user == "" {
		return &smtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	s.msg.From = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.srv.mu.Lock()
	refused := s.srv.refuse[to]
	s.srv.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, Message: "no such user"}
	}
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.Data = b
	_, isTLS := s.conn.TLSConnectionState()
	s.srv.mu.Lock()
	s.srv.messages = append(s.srv.messages, s.msg)
	s.srv.authed = append(s.srv.authed, s.user)
	s.srv.sawTLS = append(s.srv.sawTLS, isTLS)
	s.srv.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.msg = smtpMessage{} }
func (s *smtpSession) Logout() error { return nil }

func (s *smtpServer) received() []smtpMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMessage(nil), s.messages...)
}

func emailChannel(srv *smtpServer, t testing.TB, tlsMode string) ChannelConfig {
	return ChannelConfig{
		Name: "mail", Type: TypeEmail, SMTPHost: "127.0.0.1", SMTPPort: srv.port(t), TLS: tlsMode,
		Username: smtpUser, Password: smtpPass, From: "difesa@example.org", To: []string{"responders@example.org", "second@example.org"},
		CAFile: srv.caFile, Language: "it",
	}
}

func TestEmail(t *testing.T) {
	t.Parallel()
	host, _ := os.Hostname()
	for _, mode := range []string{"starttls", "implicit"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv := newSMTPServer(t, mode == "implicit")
			c := newClock()
			s := newTestStore(t, c)
			w := newTestWorker(t, s, c, emailChannel(srv, t, mode))
			sub := submit(t, s, testHub, wire.EventAlertReceived, true)
			step(t, w)

			msgs := srv.received()
			to := emailChannel(srv, t, mode).To
			if len(msgs) != len(to) {
				t.Fatalf("got %d messages, want one per recipient, %d (outbox: %+v)", len(msgs), len(to), events(t, s))
			}
			srv.mu.Lock()
			for i := range msgs {
				if srv.authed[i] != smtpUser || !srv.sawTLS[i] {
					t.Errorf("message %d: auth %q, tls %v", i, srv.authed[i], srv.sawTLS[i])
				}
			}
			srv.mu.Unlock()
			var ids []string
			for i, m := range msgs {
				// Each message is for one responder, and names no other.
				if m.From != "difesa@example.org" || len(m.To) != 1 || m.To[0] != to[i] {
					t.Errorf("message %d: envelope %s → %v, want → [%s]", i, m.From, m.To, to[i])
				}
				parsed, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
				if err != nil {
					t.Fatal(err)
				}
				if got := parsed.Header.Get("To"); got != "<"+to[i]+">" {
					t.Errorf("message %d: To %q, want <%s>", i, got, to[i])
				}
				for _, other := range to {
					if other != to[i] && strings.Contains(string(m.Data), other) {
						t.Errorf("message %d for %s names %s", i, to[i], other)
					}
				}
				for _, h := range []string{"Cc", "Bcc"} {
					if v := parsed.Header.Get(h); v != "" {
						t.Errorf("message %d: %s %q", i, h, v)
					}
				}
				// RFC 2156 values, and the X-Priority clients read.
				for h, want := range map[string]string{"Importance": "high", "Priority": "urgent", "X-Priority": "1 (Highest)"} {
					if got := parsed.Header.Get(h); got != want {
						t.Errorf("message %d: %s %q, want %q", i, h, got, want)
					}
				}
				ids = append(ids, parsed.Header.Get("Message-Id"))
			}
			if ids[0] != ids[1] {
				t.Errorf("the copies have Message-IDs %q and %q, want the notification's", ids[0], ids[1])
			}
			m := msgs[0]
			parsed, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
			if err != nil {
				t.Fatal(err)
			}
			subject, _ := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
			if subject != "URGENTE: è arrivata un'allerta nell'hub it" {
				t.Errorf("Subject %q", subject)
			}
			id := parsed.Header.Get("Message-Id")
			if !strings.HasPrefix(id, "<msg_") || !strings.HasSuffix(id, "@difesa.invalid>") {
				t.Errorf("Message-ID %q", id)
			}
			if len(host) > 5 && strings.Contains(string(m.Data), host) {
				t.Errorf("the message names this machine (%s)", host)
			}
			body := decodedBody(t, parsed)
			if !strings.Contains(body, hubURL) || !strings.Contains(body, strings.Trim(strings.TrimSuffix(id, "@difesa.invalid>"), "<")) {
				t.Errorf("body %q lacks the hub's address or the notification id", body)
			}
			assertContentFree(t, "email", append(m.Data, body...), sub)
			if evs := events(t, s); len(evs) != 0 {
				t.Errorf("%d events left", len(evs))
			}
		})
	}
}

func decodedBody(t testing.TB, m *mail.Message) string {
	t.Helper()
	b, err := io.ReadAll(m.Body)
	if err != nil {
		t.Fatal(err)
	}
	switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		d, err := io.ReadAll(quotedPrintable(b))
		if err != nil {
			t.Fatal(err)
		}
		return string(d)
	case "base64":
		d, err := io.ReadAll(base64Reader(b))
		if err != nil {
			t.Fatal(err)
		}
		return string(d)
	}
	return string(b)
}

func TestEmailProblems(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, false)
	wrongPass := emailChannel(srv, t, "starttls")
	wrongPass.Name, wrongPass.Password = "wrong-password", "nope"
	untrusted := emailChannel(srv, t, "starttls")
	untrusted.Name, untrusted.CAFile = "untrusted", ""
	implicitOnPlain := emailChannel(srv, t, "implicit")
	implicitOnPlain.Name = "implicit-on-starttls-port"
	res := TestChannels(t.Context(), testHub, Hub{URL: hubURL, Channels: []ChannelConfig{wrongPass, untrusted, implicitOnPlain}}, "")
	for _, r := range res {
		t.Logf("%-26s %s", r.Channel, r.Problem)
	}
	for i, want := range []string{"username or password", "not signed by an authority", "TLS failure"} {
		if res[i].OK() || !strings.Contains(res[i].Problem, want) {
			t.Errorf("%s: problem %q, want %q", res[i].Channel, res[i].Problem, want)
		}
	}
	if n := len(srv.received()); n != 0 {
		t.Errorf("%d messages got through", n)
	}
}
