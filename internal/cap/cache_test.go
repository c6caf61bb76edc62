package cap

import (
	"os"
	"testing"
)

func TestCache(t *testing.T) {
	doc, err := os.ReadFile("testdata/rich.xml")
	if err != nil {
		t.Fatal(err)
	}
	c := NewCache(2)
	first, err := c.Check(doc)
	if err != nil {
		t.Fatal(err)
	}
	// The caller's copy is its own: changing it changes nothing cached.
	first.Infos[0].Headline = "changed"
	first.Infos[0].Areas[0].Desc = "changed"
	again, err := c.Check(doc)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Check(doc)
	if !again.Equal(want) {
		t.Fatalf("cached alert changed with the caller's copy:\n%+v\nwant\n%+v", again, want)
	}
	// Refusals are refused every time, and not remembered.
	for range 3 {
		if _, err := c.Check([]byte("<not-cap/>")); err == nil {
			t.Fatal("the cache accepted what Check refuses")
		}
	}
	if len(c.m) != 1 {
		t.Errorf("%d entries, want 1", len(c.m))
	}
}

// BenchmarkCacheHit is what serving a known bulletin costs.
func BenchmarkCacheHit(b *testing.B) {
	doc, err := os.ReadFile("testdata/rich.xml")
	if err != nil {
		b.Fatal(err)
	}
	c := NewCache(16)
	c.Check(doc)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Check(doc); err != nil {
			b.Fatal(err)
		}
	}
}
