package casebook

import "slices"

// reorderLocked moves the case k of hub, as it is now, to its place in the cached
// inbox order after a change of that case alone (what was read, its
// status), instead
// of rebuilding the order of every case: at 10,000 cases a rebuild costs
// tens of milliseconds, and the responder comes back to the inbox after
// each case they open. It must be called just after [Book.notifyLocked]
// for that change; if the cache was not current before it, nothing is
// done (the next list rebuilds it). The caller holds b.mu for writing.
func (b *Book) reorderLocked(hub string, k *kase) {
	b.cacheMu.Lock()
	defer b.cacheMu.Unlock()
	m := b.models[hub]
	if b.cache == nil || b.cacheGen+1 != b.gen || m == nil || k == nil || k.root == nil {
		return
	}
	id := k.root.sub.ID
	i := slices.IndexFunc(b.cache, func(r *listed) bool { return r.item.Hub == hub && r.item.ID == id })
	if i < 0 {
		return
	}
	moved := &listed{item: k.item(m), latest: k.latest().sub, k: k}
	// A new slice: a reader that took the old one keeps a consistent view.
	rows := make([]*listed, 0, len(b.cache))
	rows = append(rows, b.cache[:i]...)
	rows = append(rows, b.cache[i+1:]...)
	at, _ := slices.BinarySearchFunc(rows, moved, inboxOrder)
	rows = slices.Insert(rows, at, moved)
	b.cache, b.cacheGen = rows, b.gen
}
