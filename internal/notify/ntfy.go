package notify

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// ntfy publishes to a topic of an ntfy server (https://docs.ntfy.sh/publish/):
// POST server/topic, the message as the body, the rest in headers.
type ntfy struct {
	url    string
	token  string
	lang   string
	client *http.Client
}

// ntfy priorities: 5 is "max" (a long vibration, shown over other apps),
// 3 the default.
const (
	ntfyUrgent  = "5"
	ntfyDefault = "3"
)

func newNtfy(c ChannelConfig, n *network) (*ntfy, error) {
	u, err := url.JoinPath(c.Server, c.Topic)
	if err != nil {
		return nil, err
	}
	return &ntfy{url: u, token: c.Token, lang: c.language(), client: n.httpClient()}, nil
}

func (c *ntfy) send(ctx context.Context, n Notification) error {
	m := render(c.lang, n)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, strings.NewReader(m.Details))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	req.Header.Set("User-Agent", "difesa")
	// Header values are ASCII; ntfy decodes RFC 2047 encoded words.
	req.Header.Set("Title", mime.BEncoding.Encode("utf-8", m.Title))
	if n.Urgent {
		req.Header.Set("Priority", ntfyUrgent)
		req.Header.Set("Tags", "rotating_light")
	} else {
		req.Header.Set("Priority", ntfyDefault)
		req.Header.Set("Tags", "incoming_envelope")
	}
	if n.URL != "" {
		req.Header.Set("Click", n.URL)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return post(c.client, req)
}
