package pow

import (
	"encoding/hex"
	"errors"
	"testing"
	"time"
)

func TestPolicyBits(t *testing.T) {
	t.Parallel()
	p := Policy{InFlight: 8, PerMinute: 20, MinBits: 13, MaxBits: 16}
	tests := []struct {
		name string
		p    Policy
		load Load
		want int
	}{
		{"idle", p, Load{}, 0},
		{"just under both", p, Load{InFlight: 7, PerMinute: 19}, 0},
		{"in flight at the threshold", p, Load{InFlight: 8}, 13},
		{"per minute at the threshold", p, Load{PerMinute: 20}, 13},
		{"in flight doubled", p, Load{InFlight: 16}, 14},
		{"in flight almost quadrupled", p, Load{InFlight: 31}, 14},
		{"per minute quadrupled", p, Load{PerMinute: 80}, 15},
		{"the larger measure wins", p, Load{InFlight: 16, PerMinute: 160}, 16},
		{"capped", p, Load{InFlight: 1 << 20}, 16},
		{"off", Policy{InFlight: 8, MinBits: 13}, Load{InFlight: 100}, 0},
		{"one measure left out", Policy{PerMinute: 10, MinBits: 10, MaxBits: 20}, Load{InFlight: 1000, PerMinute: 9}, 0},
		{"never above the format's limit", Policy{InFlight: 1, MinBits: 30, MaxBits: 99}, Load{InFlight: 1 << 10}, MaxBits},
		{"min 0 means 1", Policy{InFlight: 1, MaxBits: 4}, Load{InFlight: 1}, 1},
	}
	for _, tt := range tests {
		if got := tt.p.Bits(tt.load); got != tt.want {
			t.Errorf("%s: Bits(%+v) = %d, want %d", tt.name, tt.load, got, tt.want)
		}
	}
}

func TestGateMeasuresLoad(t *testing.T) {
	t.Parallel()
	clk := newClock()
	g := NewGate(Policy{InFlight: 2, PerMinute: 4, MinBits: 10, MaxBits: 12}, clk.now)
	if g.Bits() != 0 {
		t.Fatal("work asked of an idle server")
	}
	d1 := g.Started()
	clk.advance(10 * time.Second)
	d2 := g.Started()
	if l := g.Load(); l != (Load{InFlight: 2, PerMinute: 2}) || g.Bits() != 10 {
		t.Fatalf("load %+v, %d bits", l, g.Bits())
	}
	d1()
	d1() // twice is once
	d2()
	clk.advance(10 * time.Second)
	for range 6 {
		g.Started()()
	}
	if l := g.Load(); l != (Load{PerMinute: 8}) || g.Bits() != 11 {
		t.Fatalf("load %+v, %d bits", l, g.Bits())
	}
	clk.advance(45 * time.Second) // the first start is over a minute old
	if l := g.Load(); l.PerMinute != 7 {
		t.Fatalf("load %+v after 65 s", l)
	}
	clk.advance(time.Hour)
	if l := g.Load(); l != (Load{}) {
		t.Fatalf("load %+v after an hour", l)
	}

	g.SetLoad(func() Load { return Load{InFlight: 1000} })
	if g.Bits() != 12 {
		t.Errorf("forced load: %d bits", g.Bits())
	}
	g.SetLoad(nil)
	if g.Bits() != 0 {
		t.Errorf("measured again: %d bits", g.Bits())
	}
}

func TestGateRedeemGrace(t *testing.T) {
	t.Parallel()
	g := NewGate(Policy{InFlight: 1, MinBits: 13, MaxBits: 16}, nil)
	proof := func(bits int) string {
		c, err := g.Challenge("demo", bits)
		if err != nil {
			t.Fatal(err)
		}
		return c.String() + " " + solved(t, c)
	}
	if err := g.Redeem("demo", proof(12), 14); err != nil {
		t.Errorf("two bits easier: %v", err)
	}
	if err := g.Redeem("demo", proof(11), 14); !errors.Is(err, ErrTooEasy) {
		t.Errorf("three bits easier: %v", err)
	}
	if err := g.Redeem("demo", proof(1), 2); err != nil {
		t.Errorf("at 2 bits: %v", err)
	}
}

func TestGateForms(t *testing.T) {
	t.Parallel()
	clk := newClock()
	g := NewGate(Policy{FormsPerMinute: 2, MaxBits: 16}, clk.now)
	for i := range 2 {
		if ok, _ := g.AdmitForm(); !ok {
			t.Fatalf("form %d refused", i)
		}
	}
	ok, wait := g.AdmitForm()
	if ok || wait != 30*time.Second {
		t.Fatalf("third form: %v, wait %v", ok, wait)
	}
	clk.advance(30 * time.Second)
	if ok, _ := g.AdmitForm(); !ok {
		t.Fatal("refused after the wait")
	}
	none := NewGate(Policy{MaxBits: 16}, clk.now)
	if ok, wait := none.AdmitForm(); ok || wait != time.Minute {
		t.Errorf("no reserved rate: %v %v", ok, wait)
	}
}

func FuzzParseHeader(f *testing.F) {
	vf := makeVectors(f)
	for _, v := range vf.Valid {
		f.Add(v.Challenge + " " + v.Nonce)
	}
	for _, v := range vf.Invalid {
		f.Add(v.Proof)
	}
	is := vectorIssuer()
	f.Fuzz(func(t *testing.T, s string) {
		c, nonce, err := ParseHeader(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseHeader error %v is not ErrMalformed", err)
			}
			return
		}
		// What parses is canonical: it prints back the same.
		if got := c.String() + " " + hex.EncodeToString(nonce[:]); got != s {
			t.Fatalf("%q parsed and printed as %q", s, got)
		}
		is.Redeem(c.Hub, s, 1) // must not panic
	})
}
