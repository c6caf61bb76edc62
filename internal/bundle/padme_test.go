package bundle

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestPadme(t *testing.T) {
	t.Parallel()
	tests := []struct{ n, want int64 }{
		{-1, -1}, {0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {7, 7},
		{8, 8}, {9, 10}, // the worst case of the paper: 11.1%
		{17, 18}, {33, 36}, {100, 104}, {1000, 1024}, {1024, 1024},
		{1025, 1088}, {1_000_000, 1_015_808}, {1<<20 + 1, 1<<20 + 1<<15},
		{1 << 30, 1 << 30}, {1<<30 + 1, 1<<30 + 1<<25},
		{math.MaxInt64, math.MaxInt64}, // cannot be padded
	}
	for _, tt := range tests {
		if got := Padme(tt.n); got != tt.want {
			t.Errorf("Padme(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}

func TestPadmeProperties(t *testing.T) {
	t.Parallel()
	check := func(n, prev int64) int64 {
		p := Padme(n)
		if p < n {
			t.Fatalf("Padme(%d) = %d < n", n, p)
		}
		if p < prev {
			t.Fatalf("Padme not monotone: Padme(%d) = %d < %d", n, p, prev)
		}
		if n > 0 && float64(p-n)/float64(n) > 0.12 {
			t.Fatalf("Padme(%d) = %d: overhead over 12%%", n, p)
		}
		if Padme(p) != p {
			t.Fatalf("Padme(Padme(%d)) = %d, want %d", n, Padme(p), p)
		}
		return p
	}
	var prev int64
	for n := int64(0); n < 1<<17; n++ {
		prev = check(n, prev)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		n := r.Int64N(1 << 40)
		check(n, Padme(n-1))
	}
}
