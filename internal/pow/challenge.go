package pow

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limits of the format.
const (
	// Version is the first field of every challenge.
	Version = "v1"
	// MaxBits is the greatest difficulty a challenge may ask for.
	MaxBits = 32
	// MaxSolveBits is the greatest difficulty a client works on ([Solve]),
	// and so the greatest a hub may be configured to ask for
	// (pow_max_bits): at 16 bits Firefox at Tor Browser's Safer level works
	// about 4 s on average, at 32 it would work for days. A challenge over
	// it comes from a hostile or broken hub, and is refused at once.
	MaxSolveBits = 16
	// MaxHeaderLen bounds a "<challenge> <nonce>" proof of work: a hub id
	// of 32 characters gives 133; longer is refused unread.
	MaxHeaderLen = 160
	// DefaultTTL is how long a challenge lives.
	DefaultTTL = 2 * time.Minute
	// DefaultMaxSpent is how many redeemed, unexpired challenges an
	// [Issuer] remembers at most: 13 MiB measured. Solutions with junk
	// bodies spend challenges too, so filling it (and so refusing every
	// upload for up to DefaultTTL) takes over 2,000 solved challenges a
	// second for two minutes: more than one onion service carries.
	DefaultMaxSpent = 1 << 18
)

var b64 = base64.RawURLEncoding

// Challenge is a parsed challenge. Only an [Issuer] can tell whether its
// MAC is genuine; clients read Bits from it.
type Challenge struct {
	Hub     string
	Expires time.Time
	Bits    int
	ID      [16]byte // random
	MAC     [32]byte
	text    string
}

// String returns the challenge as it travels.
func (c *Challenge) String() string { return c.text }

// ParseChallenge reads a challenge strictly: the exact fields of
// docs/pow.md, canonical numbers, canonical base64url. It does not check
// the MAC.
func ParseChallenge(s string) (*Challenge, error) {
	bad := func(what string) error { return fmt.Errorf("%w: %s", ErrMalformed, what) }
	if len(s) > MaxHeaderLen {
		return nil, bad("challenge too long")
	}
	f := strings.Split(s, ".")
	if len(f) != 6 || f[0] != Version {
		return nil, bad("not a v1 challenge of six fields")
	}
	c := &Challenge{Hub: f[1], text: s}
	if !validHub(c.Hub) {
		return nil, bad("hub")
	}
	exp, ok := canonicalUint(f[2], 12)
	if !ok {
		return nil, bad("expiry")
	}
	c.Expires = time.Unix(int64(exp), 0)
	bits, ok := canonicalUint(f[3], 2)
	if !ok || bits < 1 || bits > MaxBits {
		return nil, bad("difficulty")
	}
	c.Bits = int(bits)
	if !decodeFixed(c.ID[:], f[4]) || !decodeFixed(c.MAC[:], f[5]) {
		return nil, bad("random part or MAC")
	}
	return c, nil
}

// validHub matches hub ids (internal/hub): 1 to 32 of a-z, 0-9 and '-',
// not starting with '-'.
func validHub(s string) bool {
	if len(s) < 1 || len(s) > 32 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// canonicalUint parses decimal digits without a leading zero (but "0").
func canonicalUint(s string, maxDigits int) (uint64, bool) {
	if s == "" || len(s) > maxDigits || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// decodeFixed decodes canonical unpadded base64url of exactly len(dst)
// bytes.
func decodeFixed(dst []byte, s string) bool {
	if len(s) != b64.EncodedLen(len(dst)) {
		return false
	}
	b, err := b64.Strict().DecodeString(s)
	if err != nil || len(b) != len(dst) {
		return false
	}
	copy(dst, b)
	return true
}

// ParseHeader splits a proof of work, "<challenge> <nonce>", and parses
// both halves.
func ParseHeader(v string) (*Challenge, [8]byte, error) {
	var nonce [8]byte
	if len(v) > MaxHeaderLen {
		return nil, nonce, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, MaxHeaderLen)
	}
	cs, ns, ok := strings.Cut(v, " ")
	if !ok {
		return nil, nonce, fmt.Errorf("%w: want \"<challenge> <nonce>\"", ErrMalformed)
	}
	c, err := ParseChallenge(cs)
	if err != nil {
		return nil, nonce, err
	}
	if nonce, ok = ParseNonce(ns); !ok {
		return nil, nonce, fmt.Errorf("%w: the nonce must be 16 lowercase hex digits", ErrMalformed)
	}
	return c, nonce, nil
}

// ParseNonce reads 16 lowercase hex digits.
func ParseNonce(s string) ([8]byte, bool) {
	var n [8]byte
	if len(s) != 16 || strings.ToLower(s) != s {
		return n, false
	}
	_, err := hex.Decode(n[:], []byte(s))
	return n, err == nil
}

// Issuer makes challenges and redeems them.
type Issuer struct {
	key      [32]byte
	ttl      time.Duration
	now      func() time.Time
	spent    spentSet
	maxSpent int
}

// NewIssuer returns an issuer with a fresh random key. ttl and maxSpent
// default to [DefaultTTL] and [DefaultMaxSpent]; now to time.Now.
func NewIssuer(ttl time.Duration, maxSpent int, now func() time.Time) *Issuer {
	var key [32]byte
	rand.Read(key[:])
	return NewIssuerWithKey(key, ttl, maxSpent, now)
}

// NewIssuerWithKey is [NewIssuer] with a given key, for test vectors.
func NewIssuerWithKey(key [32]byte, ttl time.Duration, maxSpent int, now func() time.Time) *Issuer {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if maxSpent <= 0 {
		maxSpent = DefaultMaxSpent
	}
	if now == nil {
		now = time.Now
	}
	return &Issuer{key: key, ttl: ttl, now: now, maxSpent: maxSpent, spent: spentSet{m: map[[16]byte]int64{}}}
}

// TTL is how long the issuer's challenges live.
func (is *Issuer) TTL() time.Duration { return is.ttl }

// Issue returns a new challenge for hub asking for bits of work.
func (is *Issuer) Issue(hub string, bits int) (*Challenge, error) {
	if !validHub(hub) || bits < 1 || bits > MaxBits {
		return nil, fmt.Errorf("pow: cannot issue a challenge for hub %q at %d bits", hub, bits)
	}
	var id [16]byte
	rand.Read(id[:])
	return is.issue(hub, bits, is.now().Add(is.ttl), id), nil
}

func (is *Issuer) issue(hub string, bits int, expires time.Time, id [16]byte) *Challenge {
	body := fmt.Sprintf("%s.%s.%d.%d.%s", Version, hub, expires.Unix(), bits, b64.EncodeToString(id[:]))
	mac := is.mac(body)
	c := &Challenge{Hub: hub, Expires: time.Unix(expires.Unix(), 0), Bits: bits, ID: id, MAC: mac}
	c.text = body + "." + b64.EncodeToString(mac[:])
	return c
}

func (is *Issuer) mac(body string) (out [32]byte) {
	m := hmac.New(sha256.New, is.key[:])
	m.Write([]byte(body))
	m.Sum(out[:0])
	return out
}

// Redeem checks a proof of work ("<challenge> <nonce>") for hub, asking
// for at least minBits, and marks its challenge used. The checks run from
// the cheapest: format, MAC (in constant time), hub, expiry, difficulty,
// the solution, and last whether it was used before.
func (is *Issuer) Redeem(hub, proof string, minBits int) error {
	c, nonce, err := ParseHeader(proof)
	if err != nil {
		return err
	}
	body := c.text[:strings.LastIndexByte(c.text, '.')]
	want := is.mac(body)
	if !hmac.Equal(want[:], c.MAC[:]) {
		return ErrForged
	}
	if c.Hub != hub {
		return ErrWrongHub
	}
	now := is.now()
	if !now.Before(c.Expires) {
		return ErrExpired
	}
	if c.Bits < minBits {
		return fmt.Errorf("%w: %d bits, want %d", ErrTooEasy, c.Bits, minBits)
	}
	if LeadingZeros(Digest(c.text, nonce)) < c.Bits {
		return ErrWrongSolution
	}
	return is.spent.spend(c.ID, c.Expires.Unix(), now.Unix(), is.maxSpent)
}

// spentSet remembers redeemed challenges until they expire.
type spentSet struct {
	mu                   sync.Mutex
	m                    map[[16]byte]int64 // id → expiry, unix seconds
	lastSweep, nextSweep int64
}

// sweepEvery is how often, in seconds, expired entries are dropped.
const sweepEvery = 10

func (s *spentSet) spend(id [16]byte, expires, now int64, limit int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[id]; ok {
		return ErrSpent
	}
	// Expired entries go every sweepEvery seconds, and when the set is
	// full at most once a second: a flood of solutions cannot make every
	// request walk the whole set.
	if now >= s.nextSweep || (len(s.m) >= limit && now > s.lastSweep) {
		for k, exp := range s.m {
			if exp <= now {
				delete(s.m, k)
			}
		}
		s.lastSweep, s.nextSweep = now, now+sweepEvery
	}
	if len(s.m) >= limit {
		return ErrBusy
	}
	s.m[id] = expires
	return nil
}
