package api

// WithSlotHooks returns o with functions called when an upload takes one
// of the server's upload slots (taken) and when it finds none free and
// starts to wait (queued), so that tests can wait for those moments
// instead of sleeping. Either may be nil.
func WithSlotHooks(o Options, taken, queued func()) Options {
	o.slotHooks = &slotHooks{taken: taken, queued: queued}
	return o
}
