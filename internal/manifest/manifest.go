package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"filippo.io/age"

	"difesa.org/difesa/internal/hub"
)

const (
	// Header is the first line of every manifest. It names the format and
	// version, and separates manifests from anything else the admin key
	// signs.
	Header = "difesa-manifest/v1"

	// MaxSize is the largest manifest, in bytes.
	MaxSize = 64 << 10

	// MaxRecipients is the most recipients a manifest lists.
	MaxRecipients = 64

	// MaxLabel is the longest label, in Unicode code points.
	MaxLabel = 64
)

// Role is what a recipient does for the hub. Both kinds can read every
// report; the role is for people, not for access control.
type Role string

const (
	// RoleResponder reads and answers reports.
	RoleResponder Role = "responder"
	// RoleAdmin administers the hub (and can read reports too).
	RoleAdmin Role = "admin"
)

// Recipient is one age recipient of a hub.
type Recipient struct {
	// Key is the age recipient in text form, age1pq1… or age1….
	Key string
	// Role is RoleResponder or RoleAdmin.
	Role Role
	// Label names the person or desk for humans; it may be empty.
	Label string
}

// Manifest is the decoded form of one signed recipient list. Only bytes
// that [Parse] accepted, or that [Manifest.Marshal] produced, mean
// anything: the signature covers the bytes, not this struct.
type Manifest struct {
	// Hub is the hub id, see [hub.ValidID].
	Hub string
	// Epoch numbers the manifests of a hub: 1, 2, 3… without gaps.
	Epoch uint64
	// Issued is the issue date, YYYY-MM-DD. It is informative only.
	Issued string
	// Previous is the hex SHA-256 of the previous manifest's bytes, or ""
	// for epoch 1.
	Previous string
	// Recipients lists the keys reports are encrypted to, in order.
	Recipients []Recipient
}

// Hash returns the lowercase hex SHA-256 of b, the form manifests use in
// their previous line.
func Hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Marshal checks every rule of the format and returns the manifest's
// canonical bytes. Errors wrap [ErrMalformed].
func (m *Manifest) Marshal() ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString(Header + "\n")
	fmt.Fprintf(&b, "hub: %s\n", m.Hub)
	fmt.Fprintf(&b, "epoch: %d\n", m.Epoch)
	fmt.Fprintf(&b, "issued: %s\n", m.Issued)
	if m.Previous == "" {
		b.WriteString("previous: none\n")
	} else {
		fmt.Fprintf(&b, "previous: %s\n", m.Previous)
	}
	for _, r := range m.Recipients {
		fmt.Fprintf(&b, "recipient: %s %s", r.Key, r.Role)
		if r.Label != "" {
			fmt.Fprintf(&b, " %s", r.Label)
		}
		b.WriteByte('\n')
	}
	if b.Len() > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrMalformed, b.Len(), MaxSize)
	}
	return []byte(b.String()), nil
}

func (m *Manifest) validate() error {
	if !hub.ValidID(m.Hub) {
		return fmt.Errorf("%w: hub id %q: use 1-32 lowercase letters, digits and dashes, starting with a letter or digit", ErrMalformed, truncate(m.Hub))
	}
	if m.Epoch == 0 {
		return fmt.Errorf("%w: epoch 0: epochs start at 1", ErrMalformed)
	}
	if err := checkDate(m.Issued); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	switch {
	case m.Epoch == 1 && m.Previous != "":
		return fmt.Errorf("%w: epoch 1 starts the chain: previous must be none", ErrMalformed)
	case m.Epoch > 1 && m.Previous == "":
		return fmt.Errorf("%w: epoch %d needs the previous manifest's hash, not none", ErrMalformed, m.Epoch)
	case m.Epoch > 1 && !isHash(m.Previous):
		return fmt.Errorf("%w: previous %q: want 64 lowercase hex digits", ErrMalformed, truncate(m.Previous))
	}
	if len(m.Recipients) == 0 {
		return fmt.Errorf("%w: no recipient", ErrMalformed)
	}
	if len(m.Recipients) > MaxRecipients {
		return fmt.Errorf("%w: %d recipients, more than %d", ErrMalformed, len(m.Recipients), MaxRecipients)
	}
	seen := make(map[string]bool, len(m.Recipients))
	pq := 0
	for i, r := range m.Recipients {
		n := i + 1
		ar, err := parseKey(r.Key)
		if err != nil {
			return fmt.Errorf("%w: recipient %d: %w", ErrMalformed, n, err)
		}
		if seen[r.Key] {
			return fmt.Errorf("%w: recipient %d: %s listed twice", ErrMalformed, n, truncate(r.Key))
		}
		seen[r.Key] = true
		if _, ok := ar.(*age.HybridRecipient); ok {
			pq++
		}
		if r.Role != RoleResponder && r.Role != RoleAdmin {
			return fmt.Errorf("%w: recipient %d: role %q: want %s or %s", ErrMalformed, n, truncate(string(r.Role)), RoleResponder, RoleAdmin)
		}
		if r.Label != "" {
			if err := checkLabel(r.Label); err != nil {
				return fmt.Errorf("%w: recipient %d: %w", ErrMalformed, n, err)
			}
		}
	}
	if pq != 0 && pq != len(m.Recipients) {
		// age refuses to encrypt to such a mix: it would throw away the
		// post-quantum protection.
		return fmt.Errorf("%w: mixes post-quantum (age1pq1…) and classic (age1…) recipients; use only one kind", ErrMalformed)
	}
	return nil
}

// parseKey parses a recipient with [hub.ParseRecipient] and requires the
// canonical text form, so that one key has one spelling.
func parseKey(s string) (age.Recipient, error) {
	if looksSecret(s) {
		return nil, secretKeyError{"a public recipient (age1…)"}
	}
	r, err := hub.ParseRecipient(s)
	if errors.Is(err, hub.ErrUnsupportedRecipient) {
		return nil, fmt.Errorf("%w: %q (want age1pq1… or age1…)", hub.ErrUnsupportedRecipient, truncate(s))
	}
	if err != nil {
		// hub's message repeats all 1,959 characters of a post-quantum key.
		return nil, fmt.Errorf("malformed recipient %q", truncate(s))
	}
	if r.(fmt.Stringer).String() != s {
		return nil, fmt.Errorf("recipient %q is not in canonical form", truncate(s))
	}
	return r, nil
}

func checkDate(s string) error {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Format(time.DateOnly) != s {
		return fmt.Errorf("issued %q: want a calendar date YYYY-MM-DD", truncate(s))
	}
	return nil
}

func isHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// checkLabel enforces the label rules: 1 to MaxLabel code points, each
// printable by [unicode.IsPrint] (letters, marks, numbers, punctuation,
// symbols and the ASCII space; no control, format, private-use, unassigned
// or other space characters), no leading, trailing or double space.
func checkLabel(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("label is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n == 0 || n > MaxLabel {
		return fmt.Errorf("label has %d characters, want 1 to %d", n, MaxLabel)
	}
	if looksSecret(s) {
		return secretKeyError{"a label"}
	}
	for _, c := range s {
		if !unicode.IsPrint(c) {
			return fmt.Errorf("label holds the unprintable character %U", c)
		}
	}
	if strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") || strings.Contains(s, "  ") {
		return fmt.Errorf("label has a leading, trailing or double space")
	}
	return nil
}

// AgeRecipients returns the recipients as age recipients, in order, ready
// for [age.Encrypt].
func (m *Manifest) AgeRecipients() ([]age.Recipient, error) {
	out := make([]age.Recipient, 0, len(m.Recipients))
	for i, r := range m.Recipients {
		ar, err := parseKey(r.Key)
		if err != nil {
			return nil, fmt.Errorf("%w: recipient %d: %w", ErrMalformed, i+1, err)
		}
		out = append(out, ar)
	}
	return out, nil
}

// RecipientStrings returns the recipients' keys in text form, in order.
func (m *Manifest) RecipientStrings() []string {
	out := make([]string, 0, len(m.Recipients))
	for _, r := range m.Recipients {
		out = append(out, r.Key)
	}
	return out
}

// Has reports whether key is one of the manifest's recipients.
func (m *Manifest) Has(key string) bool {
	return m.index(key) >= 0
}

func (m *Manifest) index(key string) int {
	for i, r := range m.Recipients {
		if r.Key == key {
			return i
		}
	}
	return -1
}

// parseEpoch accepts the one decimal form of an epoch: digits only, no
// leading zero, at most 2^64-1.
func parseEpoch(s string) (uint64, bool) {
	if s == "" || s[0] == '0' || len(s) > 20 {
		return 0, false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	e, err := strconv.ParseUint(s, 10, 64)
	return e, err == nil
}
