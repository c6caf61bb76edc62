package casebook

import "slices"

// reorderLocked moves the case (hub, id) to its place in the cached
// inbox order after a change of that case alone (what was read), instead
// of rebuilding the order of every case: at 10,000 cases a rebuild costs
// tens of milliseconds, and the responder comes back to the inbox after
// each case they open. It must be called just after [Book.notifyLocked]
// for that change; if the cache was not current before it, nothing is
// done (the next list rebuilds it). The caller holds b.mu for writing.
func (b *Book) reorderLocked(hub, id string) {
	b.cacheMu.Lock()
	defer b.cacheMu.Unlock()
	if b.cache == nil || b.cacheGen+1 != b.gen {
		return
	}
	i := slices.IndexFunc(b.cache, func(r *listed) bool { return r.item.Hub == hub && r.item.ID == id })
	m := b.models[hub]
	if i < 0 || m == nil {
		return
	}
	r := b.cache[i]
	moved := &listed{item: r.k.item(m), latest: r.latest, k: r.k}
	// A new slice: a reader that took the old one keeps a consistent view.
	rows := make([]*listed, 0, len(b.cache))
	rows = append(rows, b.cache[:i]...)
	rows = append(rows, b.cache[i+1:]...)
	at, _ := slices.BinarySearchFunc(rows, moved, inboxOrder)
	rows = slices.Insert(rows, at, moved)
	b.cache, b.cacheGen = rows, b.gen
}
