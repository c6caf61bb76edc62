package casebook

import (
	"errors"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/vault"
)

// Book is the desk's local copy of one or more hubs' cases: encrypted at
// rest in internal/vault, decrypted into memory. Its methods are safe for
// concurrent use.
type Book struct {
	v     *vault.Vault
	ids   []age.Identity
	now   func() time.Time
	logf  func(string, ...any)
	every time.Duration
	hubs  []*hubConn

	writeMu sync.Mutex    // serialises the changes to the vault's submissions
	seq     atomic.Uint64 // the last number a ciphertext was kept under
	// beforeKeep, if set (by tests), runs as a page of a sync begins to
	// be kept.
	beforeKeep func()

	mu     sync.RWMutex // guards models, the hubs' status, subs
	models map[string]*hubModel
	idx    *index
	subs   map[int]chan Change
	nsub   int
	closed bool
	gen    uint64 // grows with every change of the models

	cacheMu  sync.Mutex // guards cache, cacheGen
	cache    []*listed  // every case in inbox order, at cacheGen
	cacheGen uint64
}

// hubID matches the hub ids the desk accepts: they name vault buckets.
var hubID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

// submissionID matches the ids the hub hands out; anything else is never
// a vault key.
var submissionID = regexp.MustCompile(`^[a-z2-7]{26}$`)

// Open opens (or creates) the desk folder and decrypts its local copy into
// memory; [Book.Run] then syncs it with the hubs. Without an identity that
// unwraps the folder's key it fails with vault.ErrForeignIdentity.
func Open(o Options) (*Book, error) {
	if o.Dir == "" {
		return nil, errors.New("casebook: unable to open the desk: no folder")
	}
	if len(o.Identities) == 0 || o.Recipient == nil {
		return nil, errors.New("casebook: unable to open the desk: no identity")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	if o.SyncEvery <= 0 {
		o.SyncEvery = time.Minute
	}
	b := &Book{
		ids: o.Identities, now: o.Now, logf: o.Logf, every: o.SyncEvery,
		models: map[string]*hubModel{}, idx: newIndex(), subs: map[int]chan Change{},
	}
	for _, hc := range o.Hubs {
		h, err := newHubConn(hc, o.Identities)
		if err != nil {
			return nil, err
		}
		if b.models[h.id] != nil {
			return nil, fmt.Errorf("casebook: unable to open the desk: hub %q is given twice", h.id)
		}
		b.models[h.id] = newHubModel()
		b.hubs = append(b.hubs, h)
	}
	v, err := vault.Open(o.Dir, o.Identities, o.Recipient)
	if err != nil {
		return nil, fmt.Errorf("casebook: unable to open the desk folder: %w", err)
	}
	b.v = v
	for _, h := range b.hubs {
		if err := b.load(h); err != nil {
			v.Close()
			return nil, err
		}
	}
	return b, nil
}

// newHubConn prepares the clients of a hub: one for the sync, one for
// the actions, one for the event stream (each logs in on its own).
func newHubConn(hc HubConfig, ids []age.Identity) (*hubConn, error) {
	opts := client.Options{Proxy: hc.Proxy}
	if hc.HTTPClient != nil && hc.HTTPClient.Transport != nil {
		opts.Transport = hc.HTTPClient.Transport
	}
	var cs [3]*client.Client // sync, actions, events
	for i := range cs {
		c, err := client.New(hc.URL, opts)
		if err != nil {
			return nil, fmt.Errorf("casebook: unable to use hub %q: %w", hc.URL, err)
		}
		cs[i] = c
	}
	c := cs[0]
	if !hubID.MatchString(c.HubID()) {
		return nil, fmt.Errorf("casebook: unable to use hub %q: its id is not one the desk can keep", hc.URL)
	}
	if len(hc.Identities) > 0 {
		ids = append(append([]age.Identity(nil), hc.Identities...), ids...)
	}
	return &hubConn{
		id: c.HubID(), url: c.HubURL(), ids: ids, pin: hc.Pin, pins: hc.Pins,
		sync: session{c: cs[0], ids: ids}, act: session{c: cs[1], ids: ids}, ev: cs[2],
		kick: make(chan struct{}, 1),
	}, nil
}

// load decrypts what the vault holds of h into memory.
func (b *Book) load(h *hubConn) error {
	m := newHubModel()
	if err := loadState(b.v, h.id, m); err != nil {
		return err
	}
	w, err := loadWork(b.v, h.id)
	if err != nil {
		return err
	}
	m.work = w
	keys, err := b.v.Keys(bucketSub + h.id)
	if err != nil {
		return fmt.Errorf("casebook: unable to read the local copy: %w", err)
	}
	entries := make([]*entry, len(keys))
	var mu sync.Mutex
	var firstErr error
	parallel(len(keys), func(i int) {
		e, err := loadEntry(b.v, h.id, keys[i], h.ids)
		if err != nil {
			mu.Lock()
			if firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
			return
		}
		entries[i] = e
	})
	if firstErr != nil {
		return firstErr
	}
	var last uint64
	for _, e := range entries {
		m.entries[e.sub.ID] = e
		last = max(last, e.seq)
	}
	// The numbers go on after the largest one kept.
	for {
		cur := b.seq.Load()
		if cur >= last || b.seq.CompareAndSwap(cur, last) {
			break
		}
	}
	b.mu.Lock()
	b.models[h.id] = m
	b.gen++
	for _, e := range entries {
		b.idx.put(h.id+"/"+e.sub.ID, e.text())
	}
	b.mu.Unlock()
	return nil
}

// Close closes the desk folder and ends every [Book.Changes]
// subscription. Cancel the context of [Book.Run] and wait for it to
// return first.
func (b *Book) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	for k, ch := range b.subs {
		close(ch)
		delete(b.subs, k)
	}
	b.mu.Unlock()
	if err := b.v.Close(); err != nil {
		return fmt.Errorf("casebook: unable to close the desk folder: %w", err)
	}
	return nil
}

// changesBuffer is how many changes wait for a slow reader before more
// are dropped (the page reloads the list on the next one).
const changesBuffer = 256

// Changes subscribes to live updates; call the returned function to
// unsubscribe. A reader that falls behind misses changes rather than
// slowing the sync.
func (b *Book) Changes() (<-chan Change, func()) {
	ch := make(chan Change, changesBuffer)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(ch)
		return ch, func() {}
	}
	b.nsub++
	k := b.nsub
	b.subs[k] = ch
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if c, ok := b.subs[k]; ok {
			close(c)
			delete(b.subs, k)
		}
	}
}

// notifyLocked hands changes to the subscribers; the caller holds b.mu.
// Every change of the models goes through it.
func (b *Book) notifyLocked(cs []Change) {
	b.gen++
	for _, ch := range b.subs {
		for _, c := range cs {
			select {
			case ch <- c:
			default:
			}
		}
	}
}

// Status reports each hub's connection, in the order of [Options.Hubs].
func (b *Book) Status() []HubStatus {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]HubStatus, len(b.hubs))
	for i, h := range b.hubs {
		out[i] = h.st
		out[i].Hub, out[i].URL = h.id, h.url
	}
	return out
}

// SyncNow asks every hub's sync loop to sync at once.
func (b *Book) SyncNow() {
	for _, h := range b.hubs {
		h.kickSync()
	}
}

// hubOf returns the hub of id, or ErrNotFound.
func (b *Book) hubOf(id string) (*hubConn, error) {
	for _, h := range b.hubs {
		if h.id == id {
			return h, nil
		}
	}
	return nil, fmt.Errorf("%w: no hub %q", ErrNotFound, id)
}

// coarseHour is t's hour, as the desk shows times it keeps.
func coarseHour(t time.Time) string {
	return t.UTC().Truncate(time.Hour).Format("2006-01-02 15:00")
}
