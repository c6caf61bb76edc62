package cap

import (
	"crypto/sha256"
	"slices"
	"sync"
)

// Cache remembers what [Check] made of documents it accepted, by the
// SHA-256 of their bytes. A server shows the same few bulletins over and
// over (the feed, the news page), and Check costs about a millisecond and
// two megabytes of short-lived allocation per typical document: without a
// cache, anyone asking for the feed in a loop could keep the server's CPUs
// busy. Refusals are not remembered: they are the rare case, and a cache
// of them would grow with what an attacker sends.
type Cache struct {
	mu  sync.Mutex
	m   map[[32]byte]*Alert
	max int
}

// NewCache returns a cache of at most max alerts (it starts again empty
// when full).
func NewCache(max int) *Cache {
	return &Cache{m: map[[32]byte]*Alert{}, max: max}
}

// Check is [Check], remembering accepted documents. The alert returned is
// the caller's to change.
func (c *Cache) Check(doc []byte) (*Alert, error) {
	key := sha256.Sum256(doc)
	c.mu.Lock()
	a, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return a.clone(), nil
	}
	a, err := Check(doc)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[key] = a.clone()
	c.mu.Unlock()
	return a, nil
}

// clone returns a deep copy of a.
func (a *Alert) clone() *Alert {
	c := *a
	c.Codes = slices.Clone(a.Codes)
	c.References = slices.Clone(a.References)
	c.Infos = slices.Clone(a.Infos)
	for i := range c.Infos {
		in := &c.Infos[i]
		in.Categories = slices.Clone(in.Categories)
		in.ResponseTypes = slices.Clone(in.ResponseTypes)
		in.EventCodes = slices.Clone(in.EventCodes)
		in.Parameters = slices.Clone(in.Parameters)
		in.Areas = slices.Clone(in.Areas)
		for j := range in.Areas {
			ar := &in.Areas[j]
			ar.Polygons = slices.Clone(ar.Polygons)
			ar.Circles = slices.Clone(ar.Circles)
			ar.Geocodes = slices.Clone(ar.Geocodes)
		}
	}
	return &c
}
