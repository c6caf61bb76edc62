// Package hub describes the hubs a difesa server serves: who they are, the
// age recipients submissions must be encrypted to, and their limits.
//
// A hub's recipients are public keys only. The server never holds a hub's
// secret keys (the embedded demo is the one exception, and says so).
package hub

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"filippo.io/age"
)

// DefaultMaxSubmissionSize is the per-hub size limit when none is configured.
const DefaultMaxSubmissionSize = 2 << 30

// DefaultTimeGranularity is how coarsely arrival times are recorded.
const DefaultTimeGranularity = time.Hour

var validID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// ValidID reports whether id is a well-formed hub id.
func ValidID(id string) bool { return validID.MatchString(id) }

// Hub is one hub as the server sees it. It is immutable once built.
type Hub struct {
	ID                string
	Name              string
	MaxSubmissionSize int64
	// TimeGranularity is what arrival times are rounded down to (≥ 1h).
	TimeGranularity time.Duration

	recipients []age.Recipient
	strings    []string
}

// New builds a hub from its recipients in age's text form.
func New(id, name string, recipients []string, maxSize int64, granularity time.Duration) (*Hub, error) {
	if !ValidID(id) {
		return nil, fmt.Errorf("hub: invalid id %q: use 1-32 lowercase letters, digits and dashes", id)
	}
	if len(recipients) == 0 {
		return nil, fmt.Errorf("hub %s: no recipients", id)
	}
	if maxSize <= 0 {
		maxSize = DefaultMaxSubmissionSize
	}
	if granularity == 0 {
		granularity = DefaultTimeGranularity
	}
	if granularity < time.Hour {
		return nil, fmt.Errorf("hub %s: time granularity %v is finer than one hour", id, granularity)
	}
	h := &Hub{ID: id, Name: name, MaxSubmissionSize: maxSize, TimeGranularity: granularity}
	seen := map[string]bool{}
	for _, s := range recipients {
		s = strings.TrimSpace(s)
		r, err := ParseRecipient(s)
		if err != nil {
			return nil, fmt.Errorf("hub %s: %w", id, err)
		}
		if seen[s] {
			return nil, fmt.Errorf("hub %s: recipient %s listed twice", id, s)
		}
		seen[s] = true
		h.recipients = append(h.recipients, r)
		h.strings = append(h.strings, s)
	}
	pq := 0
	for _, r := range h.recipients {
		if _, ok := r.(*age.HybridRecipient); ok {
			pq++
		}
	}
	if pq != 0 && pq != len(h.recipients) {
		// age refuses to encrypt to such a mix: it would throw away the
		// post-quantum protection.
		return nil, fmt.Errorf("hub %s: mixes post-quantum (age1pq1…) and classic (age1…) recipients; use only one kind", id)
	}
	return h, nil
}

// ErrUnsupportedRecipient is returned for recipient types a hub cannot use.
var ErrUnsupportedRecipient = errors.New("unsupported recipient type")

// ErrSecretKey is returned when a secret key is given where a recipient
// (public key) belongs.
var ErrSecretKey = errors.New("a SECRET key was given where a public recipient (age1…) belongs: remove it, and treat it as exposed")

// ParseRecipient accepts the two native age recipient types a hub can use:
// post-quantum hybrid (age1pq1…) and X25519 (age1…).
func ParseRecipient(s string) (age.Recipient, error) {
	if strings.HasPrefix(strings.ToUpper(s), "AGE-SECRET-KEY-") {
		// Never echo it: error messages end up in logs and terminals.
		return nil, ErrSecretKey
	}
	if strings.HasPrefix(s, "age1pq1") {
		r, err := age.ParseHybridRecipient(s)
		if err != nil {
			return nil, fmt.Errorf("malformed post-quantum recipient %q: %w", s, err)
		}
		return r, nil
	}
	if strings.HasPrefix(s, "age1") {
		r, err := age.ParseX25519Recipient(s)
		if err != nil {
			return nil, fmt.Errorf("malformed recipient %q: %w", s, err)
		}
		return r, nil
	}
	return nil, fmt.Errorf("%w: %q (want age1pq1… or age1…)", ErrUnsupportedRecipient, s)
}

// Recipients returns the hub's recipients.
func (h *Hub) Recipients() []age.Recipient { return append([]age.Recipient(nil), h.recipients...) }

// RecipientStrings returns the hub's recipients in text form, in order.
func (h *Hub) RecipientStrings() []string { return append([]string(nil), h.strings...) }

// HasRecipient reports whether s is one of the hub's recipients.
func (h *Hub) HasRecipient(s string) (age.Recipient, bool) {
	for i, r := range h.strings {
		if r == s {
			return h.recipients[i], true
		}
	}
	return nil, false
}

// Fingerprint names the recipient set: the first 16 hex digits of SHA-256
// over the sorted recipient strings joined with newlines.
func (h *Hub) Fingerprint() string {
	s := h.RecipientStrings()
	sort.Strings(s)
	sum := sha256.Sum256([]byte(strings.Join(s, "\n")))
	return hex.EncodeToString(sum[:8])
}

// RecipientsFile renders the recipients as an age recipients file, usable
// with `age -R`.
func (h *Hub) RecipientsFile() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# difesa hub %s", h.ID)
	if name := oneLine(h.Name); name != "" {
		fmt.Fprintf(&b, ": %s", name)
	}
	fmt.Fprintf(&b, "\n# recipient set %s\n", h.Fingerprint())
	for _, s := range h.strings {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// RoundTime rounds an arrival time down to the hub's granularity, in UTC.
func (h *Hub) RoundTime(t time.Time) time.Time {
	return t.UTC().Truncate(h.TimeGranularity)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
