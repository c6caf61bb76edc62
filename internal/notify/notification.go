package notify

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// Notification is what a channel is told: which hub, which type of event,
// how many, where to look. It never carries a category, a size, any text
// of a submission or the time anything was written.
type Notification struct {
	// ID is stable across retries and restarts: receivers deduplicate on
	// it. Each channel gets its own ids, so that two third parties cannot
	// match their notifications by id.
	ID   string `json:"id"`
	Hub  string `json:"hub"`
	Type string `json:"type"`
	// Count is how many events of Type this notification stands for.
	Count  int    `json:"count"`
	URL    string `json:"url,omitempty"`
	Urgent bool   `json:"urgent"`
	// Submissions are the ids of the submissions concerned, only for
	// channels with include_submission_id (and on the [Broker]).
	Submissions []string `json:"submissions,omitempty"`
}

// sender delivers one notification on one channel.
type sender interface {
	send(ctx context.Context, n Notification) error
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newID returns a fresh notification id: 128 random bits, lowercase base32,
// prefixed so that logs tell it from a submission id.
func newID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails; see crypto/rand.Read
	return "msg_" + strings.ToLower(idEncoding.EncodeToString(b[:]))
}
