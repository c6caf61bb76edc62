package hub

import (
	"sort"
	"sync"
)

// Registry holds the hubs a server serves. It is safe for concurrent use;
// hubs are replaced whole, never mutated.
type Registry struct {
	mu   sync.RWMutex
	hubs map[string]*Hub
}

// NewRegistry returns a registry of hubs.
func NewRegistry(hubs ...*Hub) *Registry {
	r := &Registry{hubs: map[string]*Hub{}}
	for _, h := range hubs {
		r.hubs[h.ID] = h
	}
	return r
}

// Get returns the hub with id, or nil.
func (r *Registry) Get(id string) *Hub {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.hubs[id]
}

// Put adds or replaces a hub.
func (r *Registry) Put(h *Hub) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hubs[h.ID] = h
}

// All returns every hub, sorted by id.
func (r *Registry) All() []*Hub {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Hub, 0, len(r.hubs))
	for _, h := range r.hubs {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
