package ratelimit

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	clock := func() time.Time { return now }
	l := NewLimiter(10, 4, 1, 3, clock)
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("event %d of hub a refused within its burst", i)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait != time.Second {
		t.Fatalf("over hub a's burst: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("hub b suffers from hub a")
	}
	// The global burst (4) is now spent: hub c is refused too, and its own
	// bucket keeps its token.
	if ok, _ := l.Allow("c"); ok {
		t.Fatal("global limit not applied")
	}
	now = now.Add(time.Second)
	if ok, _ := l.Allow("c"); !ok {
		t.Fatal("hub c refused after the refill")
	}
	now = now.Add(time.Hour)
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatal("buckets do not refill")
		}
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("refill went past the burst")
	}
}
