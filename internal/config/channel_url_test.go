package config

import (
	"path/filepath"
	"strings"
	"testing"

	"difesa.org/difesa/internal/notify"
)

// TestPlainHTTPChannelRefused: the configuration check refuses a webhook
// on plain http to a public host (its body, signature and the hub's
// address would travel in clear), and accepts it for an onion service.
func TestPlainHTTPChannelRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url  string
		want string
	}{
		{"http://hooks.example.org/difesa", "plain http"},
		{"http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuv.onion/difesa", ""},
		{"https://hooks.example.org/difesa", ""},
	} {
		c, err := Load(filepath.Join("..", "..", "config", "difesad.example.toml"))
		if err != nil {
			t.Fatal(err)
		}
		c.Hubs[0].Channels = []notify.ChannelConfig{{
			Name: "hook", Type: notify.TypeWebhook, URL: tc.url,
			Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		}}
		err = c.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.url, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "url:")):
			t.Errorf("%s: error %v, want one naming url: with %q", tc.url, err, tc.want)
		}
	}
}
