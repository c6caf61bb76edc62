package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// webhook posts a JSON notification signed per the Standard Webhooks
// specification (https://www.standardwebhooks.com/).
type webhook struct {
	url           string
	keys          [][]byte // current first, then the previous one during a rotation
	withSubmisson bool
	client        *http.Client
	// now is the clock of the webhook-timestamp header: the real time of
	// sending, which receivers compare with theirs to refuse replays.
	now func() time.Time
}

// webhookBody is the JSON body of a webhook notification.
type webhookBody struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Hub    string `json:"hub"`
	Count  int    `json:"count"`
	URL    string `json:"url,omitempty"`
	Urgent bool   `json:"urgent"`
	// Submission is set when the notification is about one submission,
	// Submissions when it is about several; only with include_submission_id.
	Submission  string   `json:"submission,omitempty"`
	Submissions []string `json:"submissions,omitempty"`
}

func newWebhook(c ChannelConfig, n *network) (*webhook, error) {
	w := &webhook{url: c.URL, withSubmisson: c.IncludeSubmissionID, client: n.httpClient(), now: time.Now}
	for _, s := range []string{c.Secret, c.PreviousSecret} {
		if s == "" {
			continue
		}
		k, err := decodeSecret(s)
		if err != nil {
			return nil, err
		}
		w.keys = append(w.keys, k)
	}
	return w, nil
}

func (w *webhook) body(n Notification) ([]byte, error) {
	b := webhookBody{ID: n.ID, Type: n.Type, Hub: n.Hub, Count: n.Count, URL: n.URL, Urgent: n.Urgent}
	if w.withSubmisson {
		if len(n.Submissions) == 1 {
			b.Submission = n.Submissions[0]
		} else {
			b.Submissions = n.Submissions
		}
	}
	return json.Marshal(b)
}

// sign returns the webhook-signature header: one "v1,<base64 HMAC>" per
// key, space-separated.
func sign(keys [][]byte, id string, ts int64, body []byte) string {
	var sigs []string
	for _, k := range keys {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "."))
		m.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	}
	return strings.Join(sigs, " ")
}

func (w *webhook) send(ctx context.Context, n Notification) error {
	body, err := w.body(n)
	if err != nil {
		return err
	}
	ts := w.now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "difesa")
	req.Header.Set("webhook-id", n.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sign(w.keys, n.ID, ts, body))
	return post(w.client, req)
}
