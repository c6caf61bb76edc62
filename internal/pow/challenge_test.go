package pow

import (
	"context"
	"crypto/sha256"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newClock() *clock { return &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)} }

func issue(t *testing.T, is *Issuer, hub string, bits int) string {
	t.Helper()
	c, err := is.Issue(hub, bits)
	if err != nil {
		t.Fatal(err)
	}
	return c.String() + " " + solved(t, c)
}

func TestRedeem(t *testing.T) {
	t.Parallel()
	clk := newClock()
	is := NewIssuer(time.Minute, 0, clk.now)
	other := NewIssuer(time.Minute, 0, clk.now) // another key: another run of the server

	fresh := issue(t, is, "demo", 10)
	replayed := issue(t, is, "demo", 10)
	if err := is.Redeem("demo", replayed, 10); err != nil {
		t.Fatal(err)
	}
	expiring := issue(t, is, "demo", 10)
	c, _ := ParseChallenge(strings.Fields(fresh)[0])
	tamperedBits := strings.Replace(fresh, ".10.", ".9.", 1)
	mac := strings.Split(c.String(), ".")[5]
	tamperedMAC := strings.Replace(fresh, mac, mac[:10]+string("AB"[boolIndex(mac[10] == 'A')])+mac[11:], 1)

	tests := []struct {
		name    string
		hub     string
		proof   string
		minBits int
		want    error
		before  func()
	}{
		{name: "fresh", hub: "demo", proof: fresh, minBits: 10},
		{name: "replayed", hub: "demo", proof: replayed, minBits: 10, want: ErrSpent},
		{name: "wrong hub", hub: "ngo", proof: issue(t, is, "demo", 4), minBits: 4, want: ErrWrongHub},
		{name: "another key", hub: "demo", proof: issue(t, other, "demo", 4), minBits: 4, want: ErrForged},
		{name: "difficulty lowered", hub: "demo", proof: tamperedBits, minBits: 1, want: ErrForged},
		{name: "MAC tampered", hub: "demo", proof: tamperedMAC, minBits: 1, want: ErrForged},
		{name: "too easy", hub: "demo", proof: issue(t, is, "demo", 6), minBits: 7, want: ErrTooEasy},
		{name: "wrong nonce", hub: "demo", proof: strings.Fields(issue(t, is, "demo", 20))[0] + " ffffffffffffffff", minBits: 1, want: ErrWrongSolution},
		{name: "expired", hub: "demo", proof: expiring, minBits: 10, want: ErrExpired, before: func() { clk.advance(time.Minute) }},
		{name: "oversized", hub: "demo", proof: strings.Repeat("v1.demo.", 40), minBits: 1, want: ErrMalformed},
		{name: "no space", hub: "demo", proof: strings.Replace(fresh, " ", "", 1), minBits: 1, want: ErrMalformed},
		{name: "tab", hub: "demo", proof: strings.Replace(fresh, " ", "\t", 1), minBits: 1, want: ErrMalformed},
		{name: "empty", hub: "demo", proof: "", minBits: 1, want: ErrMalformed},
		{name: "space only", hub: "demo", proof: " ", minBits: 1, want: ErrMalformed},
		{name: "nonce first", hub: "demo", proof: strings.Fields(fresh)[1] + " " + strings.Fields(fresh)[0], minBits: 1, want: ErrMalformed},
		{name: "non-ASCII", hub: "demo", proof: strings.Replace(fresh, "demo", "dемo", 1), minBits: 1, want: ErrMalformed},
		{name: "NUL", hub: "demo", proof: fresh + "\x00", minBits: 1, want: ErrMalformed},
	}
	for _, tt := range tests { // in order: the clock moves
		if tt.before != nil {
			tt.before()
		}
		err := is.Redeem(tt.hub, tt.proof, tt.minBits)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: Redeem = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestIssueRefusesBadInput(t *testing.T) {
	t.Parallel()
	is := NewIssuer(0, 0, nil)
	for _, c := range []struct {
		hub  string
		bits int
	}{{"demo", 0}, {"demo", 33}, {"", 8}, {"a.b", 8}, {"DEMO", 8}, {strings.Repeat("a", 33), 8}} {
		if _, err := is.Issue(c.hub, c.bits); err == nil {
			t.Errorf("Issue(%q, %d) succeeded", c.hub, c.bits)
		}
	}
	c, err := is.Issue(strings.Repeat("z", 32), MaxBits)
	if err != nil {
		t.Fatal(err)
	}
	if l := len(c.String()) + 1 + 16; l > MaxHeaderLen {
		t.Errorf("the longest proof is %d bytes, over MaxHeaderLen", l)
	}
	if p, err := ParseChallenge(c.String()); err != nil || p.String() != c.String() || p.Bits != MaxBits {
		t.Errorf("round trip: %+v %v", p, err)
	}
}

// The spent set is bounded: when full it refuses rather than forgets, and
// makes room again as challenges expire.
func TestSpentSetFull(t *testing.T) {
	t.Parallel()
	clk := newClock()
	is := NewIssuer(time.Minute, 3, clk.now)
	var proofs []string
	for range 4 {
		proofs = append(proofs, issue(t, is, "demo", 1))
	}
	for i, p := range proofs[:3] {
		if err := is.Redeem("demo", p, 1); err != nil {
			t.Fatalf("proof %d: %v", i, err)
		}
	}
	if err := is.Redeem("demo", proofs[3], 1); !errors.Is(err, ErrBusy) {
		t.Fatalf("fourth proof: %v, want ErrBusy", err)
	}
	if err := is.Redeem("demo", proofs[0], 1); !errors.Is(err, ErrSpent) {
		t.Fatalf("replay while full: %v, want ErrSpent", err)
	}
	clk.advance(30 * time.Second)
	later := issue(t, is, "demo", 1) // expires 30 s after the first four
	clk.advance(31 * time.Second)    // the first four expired
	if err := is.Redeem("demo", later, 1); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if n := len(is.spent.m); n != 1 {
		t.Errorf("%d challenges remembered, want 1", n)
	}
}

func TestSolveCancelled(t *testing.T) {
	t.Parallel()
	is := NewIssuer(0, 0, nil)
	c, _ := is.Issue("demo", MaxBits)
	ctx, cancel := context.WithCancel(context.Background())
	var reports int
	_, err := solve(ctx, c.String(), c.Bits, func(tries uint64) {
		if reports++; tries != uint64(reports)*progressEvery {
			t.Errorf("report %d at %d tries", reports, tries)
		}
		if reports == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || reports != 3 {
		t.Errorf("Solve = %v after %d reports", err, reports)
	}
	if _, err := Solve(context.Background(), "v1.demo", nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("Solve of a malformed challenge: %v", err)
	}
}

// TestSolveRefusesTooHard: a client does no work for a challenge over
// MaxSolveBits, however genuine, whatever its hub: no hub may ask for it,
// and a hostile one could keep a defender's computer busy for days.
func TestSolveRefusesTooHard(t *testing.T) {
	t.Parallel()
	is := NewIssuer(0, 0, nil)
	for _, bits := range []int{MaxSolveBits + 1, 20, MaxBits} {
		c, err := is.Issue("demo", bits)
		if err != nil {
			t.Fatal(err)
		}
		tries := 0
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // bounds a solver that would try
		n, err := Solve(ctx, c.String(), func(uint64) { tries++ })
		cancel()
		if !errors.Is(err, ErrTooHard) || n != "" || tries != 0 {
			t.Errorf("Solve of %d bits = %q, %v after %d reports, want ErrTooHard at once", bits, n, err, tries)
		}
	}
	c, _ := is.Issue("demo", MaxSolveBits)
	if _, err := Solve(context.Background(), c.String(), nil); err != nil {
		t.Errorf("Solve of %d bits: %v", MaxSolveBits, err)
	}
}

func TestLeadingZeros(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		h    [32]byte
		want int
	}{
		{[32]byte{0x80}, 0},
		{[32]byte{0x7f}, 1},
		{[32]byte{0x01}, 7},
		{[32]byte{0, 0x40}, 9},
		{[32]byte{0, 0, 0, 1}, 31},
		{[32]byte{}, 256},
	} {
		if got := LeadingZeros(c.h); got != c.want {
			t.Errorf("LeadingZeros(%x) = %d, want %d", c.h[:4], got, c.want)
		}
	}
}

// BenchmarkSolve measures the time to solve a challenge per difficulty;
// docs/pow.md quotes the results. The number of tries varies from one
// challenge to the next (geometrically, mean 2^bits): each iteration
// solves a new one, so ns/op is the mean over b.N challenges.
func BenchmarkSolve(b *testing.B) {
	is := NewIssuer(0, 0, nil)
	for _, bits := range []int{8, 12, 13, 14, 15, 16, 18, 20} {
		b.Run("bits="+strconv.Itoa(bits), func(b *testing.B) {
			var tries uint64
			for b.Loop() {
				c, _ := is.Issue("demo", bits)
				n, err := solve(context.Background(), c.String(), bits, nil)
				if err != nil {
					b.Fatal(err)
				}
				nonce, _ := ParseNonce(n)
				tries += uint64(nonce[7]) | uint64(nonce[6])<<8 | uint64(nonce[5])<<16 | uint64(nonce[4])<<24
				tries++
			}
			b.ReportMetric(float64(tries)/float64(b.N), "tries/op")
		})
	}
}

// BenchmarkHash is one try: the rate every difficulty divides.
func BenchmarkHash(b *testing.B) {
	var nonce [8]byte
	seed := Seed("v1.demo.1795435320.16.AAECAwQFBgcICQoLDA0ODw.bNJXSu8pPtXS9CL6TVmyv0vLhvBzCJSl4D4uaT9uidE")
	var buf [40]byte
	copy(buf[:], seed[:])
	for b.Loop() {
		nonce[7]++
		copy(buf[32:], nonce[:])
		_ = LeadingZeros(sha256.Sum256(buf[:]))
	}
}

func BenchmarkRedeem(b *testing.B) {
	is := NewIssuer(time.Hour, 1<<30, nil)
	c, _ := is.Issue("demo", 1)
	proof := c.String() + " " + solved(b, c)
	for b.Loop() {
		is.Redeem("demo", proof, 1) // refused as spent after the first: the full check path but the insert
	}
}
