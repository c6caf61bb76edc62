package notify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestChannelConfigTOML(t *testing.T) {
	var hub struct {
		Channel []ChannelConfig `toml:"channel"`
	}
	md, err := toml.Decode(`
[[channel]]
name = "ops"
type = "webhook"
url = "https://hooks.example.org/difesa"
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
previous_secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
include_submission_id = true
batch_window = "15m"
proxy = "socks5h://127.0.0.1:9050"

[[channel]]
name = "phones"
type = "ntfy"
server = "https://ntfy.example.org"
topic = "difesa-x7q"
token_file = "ntfy.token"
language = "it"

[[channel]]
name = "mail"
type = "email"
smtp_host = "smtp.example.org"
tls = "implicit"
username = "difesa"
password_file = "smtp.pass"
from = "difesa@example.org"
to = ["a@example.org", "b@example.org"]
ca_file = "ca.pem"
`, &hub)
	if err != nil {
		t.Fatal(err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("undecoded: %v", u)
	}
	if err := ValidateChannels(hub.Channel); err != nil {
		t.Fatal(err)
	}
	if hub.Channel[0].window().Minutes() != 15 || hub.Channel[1].window() != DefaultBatchWindow || hub.Channel[2].smtpPort() != 465 {
		t.Errorf("defaults: %v %v %v", hub.Channel[0].window(), hub.Channel[1].window(), hub.Channel[2].smtpPort())
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ntfy.token"), []byte("tk_abc\n"), 0o600)
	ntfy := hub.Channel[1]
	if err := ntfy.ReadSecrets(dir); err != nil || ntfy.Token != "tk_abc" {
		t.Errorf("ReadSecrets: %v, token %q", err, ntfy.Token)
	}
	mail := hub.Channel[2]
	if err := mail.ReadSecrets(dir); err == nil || !strings.HasPrefix(err.Error(), "password_file: ") {
		t.Errorf("missing password file: %v", err)
	}
}

func TestValidate(t *testing.T) {
	hook := ChannelConfig{Name: "h", Type: TypeWebhook, URL: "https://x.example/h", Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
	for _, tc := range []struct {
		name string
		edit func(c *ChannelConfig)
		want string
	}{
		{"ok", func(c *ChannelConfig) {}, ""},
		{"no type", func(c *ChannelConfig) { c.Type = "" }, "type: missing"},
		{"bad type", func(c *ChannelConfig) { c.Type = "sms" }, "type: \"sms\""},
		{"bad name", func(c *ChannelConfig) { c.Name = "a b" }, "name:"},
		{"no url", func(c *ChannelConfig) { c.URL = "" }, "url: missing"},
		{"ftp url", func(c *ChannelConfig) { c.URL = "ftp://x/" }, "url:"},
		{"credentials in url", func(c *ChannelConfig) { c.URL = "https://u:p@x/" }, "url:"},
		{"no secret", func(c *ChannelConfig) { c.Secret = "" }, "secret: missing"},
		{"secret file", func(c *ChannelConfig) { c.Secret, c.SecretFile = "", "s" }, ""},
		{"short secret", func(c *ChannelConfig) { c.Secret = "whsec_YWJj" }, "secret: the key is 3 bytes"},
		{"bad previous", func(c *ChannelConfig) { c.PreviousSecret = "x" }, "previous_secret:"},
		{"http proxy", func(c *ChannelConfig) { c.Proxy = "http://127.0.0.1:8080" }, "proxy:"},
		{"no proxy", func(c *ChannelConfig) { c.Proxy = "none" }, ""},
		{"language", func(c *ChannelConfig) { c.Language = "xx" }, "language: \"xx\""},
		{"window", func(c *ChannelConfig) { c.BatchWindow = Duration(1e9) }, "batch_window:"},
		{"ntfy topic", func(c *ChannelConfig) {
			*c = ChannelConfig{Name: "n", Type: TypeNtfy, Server: "https://ntfy.sh", Topic: "a/b"}
		}, "topic:"},
		{"ntfy with secret", func(c *ChannelConfig) { c.Type, c.Server, c.Topic = TypeNtfy, "https://ntfy.sh", "t" }, "secret: only webhook"},
		{"email", func(c *ChannelConfig) {
			*c = ChannelConfig{Name: "m", Type: TypeEmail, SMTPHost: "smtp.x", From: "a@x", To: []string{"b@x"}}
		}, ""},
		{"email plain", func(c *ChannelConfig) {
			*c = ChannelConfig{Name: "m", Type: TypeEmail, SMTPHost: "smtp.x", TLS: "none", From: "a@x", To: []string{"b@x"}}
		}, "tls: \"none\""},
		{"email no password", func(c *ChannelConfig) {
			*c = ChannelConfig{Name: "m", Type: TypeEmail, SMTPHost: "smtp.x", Username: "u", From: "a@x", To: []string{"b@x"}}
		}, "password: missing"},
		{"email no to", func(c *ChannelConfig) {
			*c = ChannelConfig{Name: "m", Type: TypeEmail, SMTPHost: "smtp.x", From: "a@x"}
		}, "to: missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := hook
			tc.edit(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	if err := ValidateChannels([]ChannelConfig{hook, hook}); err == nil || !strings.Contains(err.Error(), "used twice") {
		t.Errorf("duplicate names: %v", err)
	}
}
