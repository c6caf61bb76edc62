package notify

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"difesa.org/difesa/internal/wire"
)

// Channel types.
const (
	TypeWebhook = "webhook"
	TypeNtfy    = "ntfy"
	TypeEmail   = "email"
)

// Defaults.
const (
	DefaultBatchWindow = 10 * time.Minute
	DefaultLanguage    = "en"
	// MinBatchWindow keeps batching meaningful: a shorter window would
	// tell a third party nearly when each report was written.
	MinBatchWindow = time.Minute
)

// ChannelConfig is one way of telling a hub's responders that something
// arrived. It is meant to be embedded in the hub's configuration as
// [[hub.channel]] tables; docs/notifications.md describes every setting.
//
// Secrets (secret, previous_secret, token, password) can instead be read
// from files (secret_file, …): see [ChannelConfig.ReadSecrets].
type ChannelConfig struct {
	// Name identifies the channel within its hub, in logs, the outbox and
	// `difesad outbox`. Unique per hub.
	Name string `toml:"name"`
	// Type is "webhook", "ntfy" or "email".
	Type string `toml:"type"`

	// Webhook (Standard Webhooks).
	URL string `toml:"url"`
	// Secret is the signing secret, "whsec_" followed by base64.
	Secret     string `toml:"secret"`
	SecretFile string `toml:"secret_file"`
	// PreviousSecret, during a rotation, signs every message a second
	// time so that receivers still holding the old secret accept it.
	PreviousSecret     string `toml:"previous_secret"`
	PreviousSecretFile string `toml:"previous_secret_file"`
	// IncludeSubmissionID adds the ids of the submissions concerned to the
	// message. Off by default: the receiver learns which submission an
	// event was about.
	IncludeSubmissionID bool `toml:"include_submission_id"`

	// ntfy.
	Server    string `toml:"server"`
	Topic     string `toml:"topic"`
	Token     string `toml:"token"`
	TokenFile string `toml:"token_file"`

	// Email.
	SMTPHost     string   `toml:"smtp_host"`
	SMTPPort     int      `toml:"smtp_port"`
	TLS          string   `toml:"tls"` // "starttls" (default) or "implicit"
	Username     string   `toml:"username"`
	Password     string   `toml:"password"`
	PasswordFile string   `toml:"password_file"`
	From         string   `toml:"from"`
	To           []string `toml:"to"`

	// All types.
	//
	// CAFile is a PEM file of certificate authorities to trust instead of
	// the system's, for a server with a private CA.
	CAFile string `toml:"ca_file"`
	// Proxy is a socks5h://host:port URL (Tor: socks5h://127.0.0.1:9050)
	// through which this channel connects; it overrides the daemon's
	// default. "none" connects directly even when a default is set.
	Proxy string `toml:"proxy"`
	// Language of the message text (default "en"); see [Languages].
	Language string `toml:"language"`
	// BatchWindow is how often, at most, a non-urgent notification goes
	// out on this channel (default 10m, at least 1m, dividing a day or a
	// whole number of days, so that windows start at the same UTC times
	// every day).
	BatchWindow Duration `toml:"batch_window"`
	// EscalationOnly makes the channel receive only escalations of
	// unacknowledged alarms (alarm.escalated), e.g. an ntfy topic on the
	// on-call phone: every other event skips it.
	EscalationOnly bool `toml:"escalation_only"`
}

// Duration is a time.Duration written as in Go ("10m", "1h").
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("invalid duration %q (write e.g. 10m or 1h)", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

var channelName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$`)

// ntfy topic names, as the ntfy server accepts them.
var ntfyTopic = regexp.MustCompile(`^[-_A-Za-z0-9]{1,64}$`)

// window returns the batch window with its default.
func (c ChannelConfig) window() time.Duration {
	if c.BatchWindow == 0 {
		return DefaultBatchWindow
	}
	return time.Duration(c.BatchWindow)
}

func (c ChannelConfig) language() string {
	if c.Language == "" {
		return DefaultLanguage
	}
	return c.Language
}

func (c ChannelConfig) implicitTLS() bool { return c.TLS == "implicit" }

func (c ChannelConfig) smtpPort() int {
	switch {
	case c.SMTPPort != 0:
		return c.SMTPPort
	case c.implicitTLS():
		return 465
	default:
		return 587
	}
}

// ReadSecrets reads every *_file setting that is set into the matching
// setting, and clears the *_file setting, so calling it twice is harmless. Relative paths are taken relative to dir (the configuration
// file's folder); surrounding white space is removed.
func (c *ChannelConfig) ReadSecrets(dir string) error {
	for _, s := range []struct {
		name      string
		fileField *string
		dst       *string
	}{
		{"secret", &c.SecretFile, &c.Secret},
		{"previous_secret", &c.PreviousSecretFile, &c.PreviousSecret},
		{"token", &c.TokenFile, &c.Token},
		{"password", &c.PasswordFile, &c.Password},
	} {
		if *s.fileField == "" {
			continue
		}
		if *s.dst != "" {
			return fmt.Errorf("%s and %s_file: set one, not both", s.name, s.name)
		}
		path := *s.fileField
		if !filepath.IsAbs(path) && dir != "" {
			path = filepath.Join(dir, path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("%s_file: %w", s.name, err)
		}
		*s.dst = strings.TrimSpace(string(b))
		if *s.dst == "" {
			return fmt.Errorf("%s_file: %s is empty", s.name, path)
		}
		// Read once: the secret is now in place, and reading again (the
		// worker does, for configurations built in code) is a no-op.
		*s.fileField = ""
	}
	if c.CAFile != "" && !filepath.IsAbs(c.CAFile) && dir != "" {
		c.CAFile = filepath.Join(dir, c.CAFile)
	}
	return nil
}

// Validate checks the channel's settings and returns every problem, each
// naming the setting to fix. A secret given as a file (secret_file, …) that
// has not been read yet is accepted as present.
func (c ChannelConfig) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !channelName.MatchString(c.Name) {
		bad("name: %q must be 1 to 64 letters, digits, '-', '_' or '.'", c.Name)
	}
	has := func(v, file string) bool { return v != "" || file != "" }
	switch c.Type {
	case TypeWebhook:
		if err := checkDestination(c.URL); err != nil {
			bad("url: %v", err)
		}
		if !has(c.Secret, c.SecretFile) {
			bad("secret: missing: the Standard Webhooks signing secret (whsec_…), shared with the receiver")
		} else if c.Secret != "" {
			if _, err := decodeSecret(c.Secret); err != nil {
				bad("secret: %v", err)
			}
		}
		if c.PreviousSecret != "" {
			if _, err := decodeSecret(c.PreviousSecret); err != nil {
				bad("previous_secret: %v", err)
			}
		}
	case TypeNtfy:
		if err := checkDestination(c.Server); err != nil {
			bad("server: %v", err)
		}
		if !ntfyTopic.MatchString(c.Topic) {
			bad("topic: %q must be 1 to 64 letters, digits, '-' or '_' (and hard to guess unless the server needs a token)", c.Topic)
		}
	case TypeEmail:
		if c.SMTPHost == "" || strings.ContainsAny(c.SMTPHost, " /:") {
			bad("smtp_host: %q is not a host name", c.SMTPHost)
		}
		if c.SMTPPort < 0 || c.SMTPPort > 65535 {
			bad("smtp_port: %d is not a port", c.SMTPPort)
		}
		switch c.TLS {
		case "", "starttls", "implicit":
		default:
			bad("tls: %q is not starttls or implicit (plain text is not offered)", c.TLS)
		}
		if c.Username == "" && has(c.Password, c.PasswordFile) {
			bad("username: missing while a password is set")
		}
		if c.Username != "" && !has(c.Password, c.PasswordFile) {
			bad("password: missing for username %q (or set password_file)", c.Username)
		}
		if _, err := mail.ParseAddress(c.From); err != nil {
			bad("from: %q is not an email address", c.From)
		}
		if len(c.To) == 0 {
			bad("to: missing: at least one address")
		}
		for _, to := range c.To {
			if _, err := mail.ParseAddress(to); err != nil {
				bad("to: %q is not an email address", to)
			}
		}
	case "":
		bad("type: missing: webhook, ntfy or email")
	default:
		bad("type: %q is not webhook, ntfy or email", c.Type)
	}
	if c.Type != TypeWebhook && (c.Secret != "" || c.SecretFile != "" || c.PreviousSecret != "" || c.PreviousSecretFile != "") {
		bad("secret: only webhook channels are signed")
	}
	if c.Type != TypeWebhook && c.IncludeSubmissionID {
		bad("include_submission_id: only webhook channels can carry submission ids")
	}
	if c.Proxy != "" && c.Proxy != "none" {
		if _, err := parseProxy(c.Proxy); err != nil {
			bad("proxy: %v", err)
		}
	}
	if !HasLanguage(c.language()) {
		bad("language: %q has no translation (have %s)", c.Language, strings.Join(Languages(), ", "))
	}
	if w := time.Duration(c.BatchWindow); w != 0 && w < MinBatchWindow {
		bad("batch_window: %v is shorter than %v", w, MinBatchWindow)
	} else if w != 0 && !alignsOnTheDay(w) {
		bad("batch_window: %v does not divide a day (windows must start at the same times every day, e.g. 5m, 10m, 15m, 30m, 1h, 2h, 24h)", w)
	}
	return errors.Join(errs...)
}

// alignsOnTheDay reports whether windows of length w, aligned on the
// clock, start at the same times every day: w divides a day, or is a
// whole number of days. Others drift across the day (7-minute windows
// start at 00:00 on 2026-11-23, at 00:02 the day after), so that a
// notification's time would not say which window it closed.
func alignsOnTheDay(w time.Duration) bool {
	const day = 24 * time.Hour
	return w > 0 && (day%w == 0 || w%day == 0)
}

// ValidateChannels checks each channel of one hub and that names are
// unique. Errors are prefixed with channel[i].
func ValidateChannels(chs []ChannelConfig) error {
	var errs []error
	seen := map[string]bool{}
	for i, c := range chs {
		if c.Name != "" && seen[c.Name] {
			errs = append(errs, fmt.Errorf("channel[%d].name: %q is used twice in this hub", i, c.Name))
		}
		seen[c.Name] = true
		if err := c.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("channel[%d] (%s): %w", i, c.Name, err))
		}
	}
	return errors.Join(errs...)
}

// checkURL checks the form of an http(s) address: a scheme, a host, no
// credentials. It is enough for the hub's own address, which notifications
// only carry; where a channel sends, [checkDestination] applies.
func checkURL(s string) error {
	if s == "" {
		return errors.New("missing")
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL", s)
	}
	if u.Scheme != "https" && u.Scheme != "http" { // url.Parse lowercases it
		return fmt.Errorf("%q: want an https:// (or http:// for an onion or loopback) address", s)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%q has no host", s)
	}
	if u.User != nil {
		return fmt.Errorf("%q: credentials in the URL would be logged; use the secret or token setting", s)
	}
	return nil
}

// checkDestination checks an address a channel sends to (a webhook's url,
// an ntfy server). What goes there is a signed body, a bearer token, the
// hub's address: over plain http anyone on the way reads it, and can
// replay or forge it. So http:// is only for an onion service, which Tor
// encrypts end to end, or for this machine (a loopback address or
// localhost); anything else must be https://.
func checkDestination(s string) error {
	if err := checkURL(s); err != nil {
		return err
	}
	u, _ := url.Parse(s)
	if u.Scheme == "https" || plainHTTPIsSafe(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("%q: plain http to %s would send the notification and its secret or token in clear; use https://, or http:// only for an .onion or loopback address", s, u.Hostname())
}

// plainHTTPIsSafe reports whether host is an onion service or this
// machine. Host names are compared as written: "localhost" only, not
// names that a resolver might send anywhere.
func plainHTTPIsSafe(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" {
		return true
	}
	if name, ok := strings.CutSuffix(host, ".onion"); ok && name != "" && !strings.Contains(name, ":") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Zone() == "" && ip.Unmap().IsLoopback()
}

// decodeSecret decodes a Standard Webhooks secret, "whsec_" + base64.
func decodeSecret(s string) ([]byte, error) {
	b64, ok := strings.CutPrefix(s, "whsec_")
	if !ok {
		return nil, errors.New("must start with whsec_ (a Standard Webhooks secret)")
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, errors.New("the part after whsec_ is not base64")
	}
	if len(key) < 24 || len(key) > 64 {
		return nil, fmt.Errorf("the key is %d bytes; Standard Webhooks wants 24 to 64 random bytes", len(key))
	}
	return key, nil
}

// parseProxy accepts socks5h:// (and socks5://, which is treated the same:
// names are always resolved by the proxy).
func parseProxy(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not a URL such as socks5h://127.0.0.1:9050", s)
	}
	if u.Scheme != "socks5h" && u.Scheme != "socks5" {
		return nil, fmt.Errorf("%q: only socks5h:// proxies are supported", s)
	}
	return u, nil
}

// wants reports whether the channel carries events of type typ.
func (c ChannelConfig) wants(typ string) bool {
	return !c.EscalationOnly || typ == wire.EventAlarmEscalated
}
