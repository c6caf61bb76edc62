// Package hub describes the hubs a difesa server serves: who they are, the
// age recipients submissions must be encrypted to in each epoch of their
// signed manifests, and their limits.
//
// A hub's recipients are public keys only. The server never holds a hub's
// secret keys (the embedded demo is the one exception, and says so).
// Verifying manifests is internal/manifest's job; this package holds the
// result.
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

// Defaults.
const (
	DefaultMaxSubmissionSize = 2 << 30
	DefaultTimeGranularity   = time.Hour
	DefaultEpochGrace        = 24 * time.Hour
)

// Errors of [Hub.RecipientsAt].
var (
	ErrStaleEpoch   = errors.New("hub: that epoch's grace period is over")
	ErrUnknownEpoch = errors.New("hub: no such epoch")
)

var validID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// ValidID reports whether id is a well-formed hub id.
func ValidID(id string) bool { return validID.MatchString(id) }

// Hub is one hub as the server sees it. It is immutable once built:
// [Hub.WithEpoch] returns a new one.
type Hub struct {
	ID                string
	Name              string
	MaxSubmissionSize int64
	// TimeGranularity is what arrival times are rounded down to, in UTC:
	// whole hours dividing a day, or whole days.
	TimeGranularity time.Duration
	// EpochGrace is how long submissions to a superseded epoch are still
	// accepted after the next epoch was published.
	EpochGrace time.Duration
	// MaxStoredBytes is how much ciphertext the hub may hold in all, and
	// MaxSubmissionsPerHour how many anonymous uploads (reports, alerts,
	// follow-ups, check-ins) it accepts in a rolling hour; 0 means no
	// limit (the default of [New]). internal/api enforces both.
	MaxStoredBytes        int64
	MaxSubmissionsPerHour int
	// AdminKey is the text form of the admin public key that signs the
	// hub's manifests, and AdminFingerprint its fingerprint.
	AdminKey, AdminFingerprint string
	// BulletinSender is the CAP sender every bulletin of the hub must name
	// ([DefaultBulletinSender] unless configured).
	BulletinSender string

	current *RecipientSet
	epochs  map[uint64]*RecipientSet
}

// RecipientSet is the recipients of one epoch.
type RecipientSet struct {
	Epoch uint64
	// Signed is the signed manifest of the epoch as published (JSON), or
	// nil for a hub built without manifests.
	Signed []byte
	// Published is when the server accepted the epoch (to the hour);
	// Superseded when the next one was, zero while current.
	Published, Superseded time.Time
	// Accepted is the moment this process accepted the epoch, kept in
	// memory only; zero for an epoch read back from the store, of which
	// only the hour (Published) is known.
	Accepted time.Time

	recipients []age.Recipient
	strings    []string
}

// New builds a hub whose recipients are in age's text form, as epoch 0
// (no manifest). [Hub.WithEpoch] adds signed epochs; a server's hubs get
// theirs from internal/hubkeys, starting from no recipients at all.
func New(id, name string, recipients []string, maxSize int64, granularity time.Duration) (*Hub, error) {
	if !ValidID(id) {
		return nil, fmt.Errorf("hub: invalid id %q: use 1-32 lowercase letters, digits and dashes", id)
	}
	if maxSize <= 0 {
		maxSize = DefaultMaxSubmissionSize
	}
	if granularity == 0 {
		granularity = DefaultTimeGranularity
	}
	if granularity < time.Hour {
		return nil, fmt.Errorf("hub %s: time_granularity %v is finer than one hour", id, granularity)
	}
	if granularity%time.Hour != 0 || (24*time.Hour%granularity != 0 && granularity%(24*time.Hour) != 0) {
		// Periods must start at the same whole hours every day: 90 min
		// would store arrivals at half past, 5 h at hours that change
		// from day to day.
		return nil, fmt.Errorf("hub %s: time_granularity %v is not whole hours dividing a day (1h, 2h, 3h, 4h, 6h, 8h, 12h, 24h) nor whole days", id, granularity)
	}
	set := &RecipientSet{}
	if len(recipients) > 0 {
		var err error
		if set, err = NewRecipientSet(0, recipients); err != nil {
			return nil, fmt.Errorf("hub %s: %w", id, err)
		}
	}
	return &Hub{
		ID: id, Name: name, MaxSubmissionSize: maxSize, TimeGranularity: granularity,
		EpochGrace: DefaultEpochGrace, BulletinSender: DefaultBulletinSender(id),
		current: set, epochs: map[uint64]*RecipientSet{0: set},
	}, nil
}

// NewRecipientSet parses the recipients of one epoch.
func NewRecipientSet(epoch uint64, recipients []string) (*RecipientSet, error) {
	if len(recipients) == 0 {
		return nil, errors.New("no recipients")
	}
	set := &RecipientSet{Epoch: epoch}
	seen := map[string]bool{}
	pq := 0
	for _, s := range recipients {
		s = strings.TrimSpace(s)
		r, err := ParseRecipient(s)
		if err != nil {
			return nil, err
		}
		if seen[s] {
			return nil, fmt.Errorf("recipient %s listed twice", s)
		}
		seen[s] = true
		if _, ok := r.(*age.HybridRecipient); ok {
			pq++
		}
		set.recipients = append(set.recipients, r)
		set.strings = append(set.strings, s)
	}
	if pq != 0 && pq != len(set.recipients) {
		// age refuses to encrypt to such a mix: it would throw away the
		// post-quantum protection.
		return nil, errors.New("mixes post-quantum (age1pq1…) and classic (age1…) recipients; use only one kind")
	}
	return set, nil
}

// WithEpoch returns a copy of h whose current recipients are set. The
// previous current set is kept, superseded when set was accepted (the end
// of set.Published's hour if set.Accepted is zero); an unsigned epoch 0
// (from [New]) is dropped.
func (h *Hub) WithEpoch(set *RecipientSet) (*Hub, error) {
	if set.Epoch <= h.current.Epoch {
		return nil, fmt.Errorf("hub %s: epoch %d does not follow %d", h.ID, set.Epoch, h.current.Epoch)
	}
	nh := *h
	nh.epochs = make(map[uint64]*RecipientSet, len(h.epochs)+1)
	for e, s := range h.epochs {
		if h.current.Signed == nil && e == 0 {
			continue // the unsigned bootstrap set gives way to signed epochs
		}
		nh.epochs[e] = s
	}
	if h.current.Signed != nil {
		old := *h.current
		old.Superseded = set.supersedes()
		nh.epochs[old.Epoch] = &old
	}
	nh.epochs[set.Epoch] = set
	nh.current = set
	return &nh, nil
}

// supersedes is the moment the grace of the epoch s replaces counts from:
// when this server accepted s or, if only its hour is known (after a
// restart), the end of that hour, so that a grace is never cut short by
// the minutes of the hour at which the next epoch came.
func (s *RecipientSet) supersedes() time.Time {
	switch {
	case !s.Accepted.IsZero():
		return s.Accepted
	case s.Published.IsZero():
		return s.Published
	}
	return s.Published.Add(time.Hour)
}

// ErrSecretKey is returned when a secret key is given where a recipient
// (public key) belongs.
var ErrSecretKey = errors.New("a SECRET key was given where a public recipient (age1…) belongs: remove it, and treat it as exposed")

// ErrUnsupportedRecipient is returned for recipient types a hub cannot use.
var ErrUnsupportedRecipient = errors.New("unsupported recipient type")

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

// Current returns the recipients of the current epoch.
func (h *Hub) Current() *RecipientSet { return h.current }

// Epoch is the current epoch.
func (h *Hub) Epoch() uint64 { return h.current.Epoch }

// Epochs returns every epoch's recipients, oldest first.
func (h *Hub) Epochs() []*RecipientSet {
	out := make([]*RecipientSet, 0, len(h.epochs))
	for _, s := range h.epochs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Epoch < out[j].Epoch })
	return out
}

// RecipientsAt returns the recipients a submission declared for epoch must
// match at time now: the current epoch's, or a superseded one's within the
// grace period.
func (h *Hub) RecipientsAt(epoch uint64, now time.Time) (*RecipientSet, error) {
	set, ok := h.epochs[epoch]
	if !ok {
		return nil, fmt.Errorf("%w %d (the hub is at epoch %d)", ErrUnknownEpoch, epoch, h.current.Epoch)
	}
	if set != h.current && now.Sub(set.Superseded) > h.EpochGrace {
		return nil, fmt.Errorf("%w: epoch %d was replaced by a newer one (the hub is at epoch %d)", ErrStaleEpoch, epoch, h.current.Epoch)
	}
	return set, nil
}

// Recipients returns the current recipients.
func (h *Hub) Recipients() []age.Recipient { return h.current.Recipients() }

// RecipientStrings returns the current recipients in text form.
func (h *Hub) RecipientStrings() []string { return h.current.RecipientStrings() }

// HasRecipient reports whether s is one of the current recipients.
func (h *Hub) HasRecipient(s string) (age.Recipient, bool) { return h.current.Has(s) }

// Fingerprint names the current recipient set; see [RecipientSet.Fingerprint].
func (h *Hub) Fingerprint() string { return h.current.Fingerprint() }

// Recipients returns the set's recipients.
func (s *RecipientSet) Recipients() []age.Recipient {
	return append([]age.Recipient(nil), s.recipients...)
}

// RecipientStrings returns the set's recipients in text form, in order.
func (s *RecipientSet) RecipientStrings() []string { return append([]string(nil), s.strings...) }

// Has reports whether r is one of the set's recipients.
func (s *RecipientSet) Has(r string) (age.Recipient, bool) {
	for i, x := range s.strings {
		if x == r {
			return s.recipients[i], true
		}
	}
	return nil, false
}

// Fingerprint names the recipient set: the first 16 hex digits of SHA-256
// over the sorted recipient strings joined with newlines.
func (s *RecipientSet) Fingerprint() string {
	strs := s.RecipientStrings()
	sort.Strings(strs)
	sum := sha256.Sum256([]byte(strings.Join(strs, "\n")))
	return hex.EncodeToString(sum[:8])
}

// RecipientsFile renders the current recipients as an age recipients file,
// usable with `age -R`.
func (h *Hub) RecipientsFile() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# difesa hub %s", h.ID)
	if name := oneLine(h.Name); name != "" {
		fmt.Fprintf(&b, ": %s", name)
	}
	fmt.Fprintf(&b, "\n# epoch %d, recipient set %s\n", h.current.Epoch, h.current.Fingerprint())
	if h.AdminFingerprint != "" {
		fmt.Fprintf(&b, "# signed by admin key %s (verify it out of band)\n", h.AdminFingerprint)
	}
	for _, s := range h.current.strings {
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
