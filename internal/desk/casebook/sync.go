package casebook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/vault"
	"difesa.org/difesa/internal/wire"
)

// Run syncs every hub until ctx ends: at once, then whenever the hub's
// event stream says something happened, when [Book.SyncNow] asks, and
// every [Options.SyncEvery]. Each sync lists what changed since the cursor
// kept in the vault, which is stored with each page, so a sync cut short
// (the desk closed, the laptop asleep) resumes where it stopped.
func (b *Book) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, h := range b.hubs {
		wg.Go(func() { b.syncLoop(ctx, h) })
		wg.Go(func() { b.eventLoop(ctx, h) })
	}
	wg.Wait()
	for _, h := range b.hubs {
		h.sync.logout()
		h.act.logout()
	}
	return nil
}

func (b *Book) syncLoop(ctx context.Context, h *hubConn) {
	reconcile := true
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-h.kick:
		}
		err := b.syncHub(ctx, h, reconcile)
		if ctx.Err() != nil {
			b.setSyncing(h, false)
			return
		}
		b.contact(h, err)
		if err == nil {
			reconcile = false
		} else {
			b.logf("casebook: hub %s: sync failed, reading from the local copy", h.id)
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(b.every)
	}
}

func (b *Book) setSyncing(h *hubConn, on bool) {
	b.mu.Lock()
	h.st.Syncing = on
	b.mu.Unlock()
}

// contact records the outcome of a contact with h.
func (b *Book) contact(h *hubConn, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h.contacted = true
	h.st.Syncing = false
	if err != nil {
		h.st.Online, h.st.Err = false, err.Error()
		return
	}
	h.st.Online, h.st.Err = true, ""
	h.st.LastSyncHour = coarseHour(b.now())
}

// syncHub takes in what changed on h since the cursor. With reconcile it
// also forgets what the hub no longer has (deleted by a colleague).
func (b *Book) syncHub(ctx context.Context, h *hubConn, reconcile bool) error {
	b.mu.Lock()
	cursor := b.models[h.id].cursor
	h.st.Syncing, h.st.Done, h.st.Total = true, 0, 0
	b.mu.Unlock()
	var seen map[string]bool
	if reconcile && cursor == "" {
		seen = map[string]bool{}
	}
	err := h.sync.call(ctx, func(c *client.Client) error {
		pace := func() {}
		if n, err := c.Epochs(ctx); err == nil {
			total := 0
			for _, k := range n.Submissions {
				total += k
			}
			b.mu.Lock()
			// What is left to download: the bar of a first sync, or of
			// one resumed after the desk was closed.
			h.st.Total = max(total-len(b.models[h.id].entries), 0)
			left := h.st.Total
			b.mu.Unlock()
			page, end := paceGC(left)
			defer end()
			pace = page
		}
		err := b.takePages(ctx, h, c, cursor, seen, pace)
		if errors.Is(err, &wire.Error{Code: wire.CodeBadCursor}) && cursor != "" {
			// The hub was restored, or is another: start again.
			b.logf("casebook: hub %s: the hub refused the cursor; listing from the start", h.id)
			seen = map[string]bool{}
			err = b.takePages(ctx, h, c, "", seen, pace)
		}
		if err != nil {
			return err
		}
		changed, err := b.syncRestrictions(ctx, h, c) // restrict.go
		if err != nil {
			return err
		}
		if (reconcile || changed) && seen == nil {
			seen = map[string]bool{}
			err = c.EachPage(ctx, "", func(p *wire.SubmissionList) error {
				for _, s := range p.Submissions {
					seen[s.ID] = true
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if seen != nil {
			if err := b.forgetUnseen(h, seen); err != nil {
				return err
			}
		}
		if err := b.syncWork(ctx, h, c); err != nil {
			return err
		}
		if err := b.retryDamaged(ctx, h, c); err != nil {
			return err
		}
		return b.syncAlarms(ctx, h, c)
	})
	if err != nil {
		return fmt.Errorf("casebook: unable to sync hub %q: %w", h.id, err)
	}
	return nil
}

// takePages takes in every page listed after cursor. A page is kept in
// the vault while the next one is listed, downloaded and decrypted, so
// that the decrypting workers do not wait for the vault's commit; the
// pages are still kept one after the other, each with its cursor, so a
// sync cut short resumes after the last page kept. pace runs after each
// page is downloaded and decrypted.
func (b *Book) takePages(ctx context.Context, h *hubConn, c *client.Client, cursor string, seen map[string]bool, pace func()) error {
	var keeping chan error
	wait := func() error {
		if keeping == nil {
			return nil
		}
		err := <-keeping
		keeping = nil
		return err
	}
	err := c.EachPage(ctx, cursor, func(p *wire.SubmissionList) error {
		out, now, err := b.fetchPage(ctx, h, c, p, seen)
		pace()
		if kerr := wait(); kerr != nil {
			return kerr
		}
		if err != nil {
			return err
		}
		ch := make(chan error, 1)
		keeping = ch
		go func() { ch <- b.keepPage(h, p, out, now) }()
		return nil
	})
	if kerr := wait(); err == nil {
		err = kerr
	}
	return err
}

// maxRetries bounds how many damaged copies one sync downloads again.
const maxRetries = 100

// retryDamaged downloads again the submissions whose copy came damaged
// (longer than the hub said, or cut short), as a page of their own that
// leaves the cursor where it is.
func (b *Book) retryDamaged(ctx context.Context, h *hubConn, c *client.Client) error {
	b.mu.RLock()
	m := b.models[h.id]
	p := &wire.SubmissionList{Next: m.cursor}
	for _, e := range m.entries {
		if e.chunks == 0 && len(p.Submissions) < maxRetries {
			p.Submissions = append(p.Submissions, e.sub)
		}
	}
	b.mu.RUnlock()
	if len(p.Submissions) == 0 {
		return nil
	}
	return b.takePage(ctx, h, c, p, nil)
}

// seqFor is the number the ciphertext of a submission the desk held as
// o (nil: a new one) is kept under: the one it had, so that a copy
// downloaded again replaces the old one, else the next one.
func (b *Book) seqFor(o *entry) uint64 {
	if o != nil && (o.seq != 0 || o.chunks > 0) {
		return o.seq
	}
	return b.seq.Add(1)
}

// fetched is a submission of a page, downloaded and decrypted, or only
// updated.
type fetched struct {
	e          *entry
	recs       []vault.Record
	skip       bool
	downloaded bool
}

// takePage downloads and decrypts what is new on a page, keeps it in the
// vault with the page's cursor (in one transaction when it fits), then in
// memory.
func (b *Book) takePage(ctx context.Context, h *hubConn, c *client.Client, p *wire.SubmissionList, seen map[string]bool) error {
	out, now, err := b.fetchPage(ctx, h, c, p, seen)
	if err != nil {
		return err
	}
	return b.keepPage(h, p, out, now)
}

// fetchPage downloads and decrypts what is new on a page.
func (b *Book) fetchPage(ctx context.Context, h *hubConn, c *client.Client, p *wire.SubmissionList, seen map[string]bool) ([]fetched, time.Time, error) {
	now := b.now()
	out := make([]fetched, len(p.Submissions))
	b.mu.RLock()
	m := b.models[h.id]
	old := make([]*entry, len(p.Submissions))
	for i, s := range p.Submissions {
		old[i] = m.entries[s.ID]
	}
	b.mu.RUnlock()
	var mu sync.Mutex
	var firstErr error
	budget := newByteBudget(inFlight)
	parallelOn(downloaders(), len(p.Submissions), func(i int) {
		s := p.Submissions[i]
		if !submissionID.MatchString(s.ID) {
			out[i].skip = true // never a vault key
			return
		}
		if seen != nil {
			mu.Lock()
			seen[s.ID] = true
			mu.Unlock()
		}
		kept := dayOf(receivedTime(s.Received))
		if kept.IsZero() {
			kept = dayOf(now)
		}
		if o := old[i]; o != nil && o.chunks > 0 && o.sub.Recipients == s.Recipients && o.sub.Epoch == s.Epoch {
			if o.sub == s {
				out[i].skip = true
				return
			}
			e := *o
			e.sub = s
			meta, err := metaOf(s, o.chunks, o.seq)
			if err != nil {
				mu.Lock()
				firstErr = cmpErr(firstErr, err)
				mu.Unlock()
				return
			}
			out[i] = fetched{e: &e, recs: []vault.Record{{Bucket: bucketSub + h.id, Key: s.ID, Value: meta, Kept: kept}}}
			return
		}
		if ctx.Err() != nil {
			return
		}
		defer budget.give(budget.take(downloadLimit(s)))
		seq := b.seqFor(old[i])
		ct, err := download(ctx, c, s)
		if errors.Is(err, &wire.Error{Code: wire.CodeNotFound}) || client.IsRestricted(err) {
			out[i].skip = true // deleted or restricted to others meanwhile
			return
		}
		if errors.Is(err, errTooLarge) || errors.Is(err, client.ErrTruncated) {
			// One damaged copy must not stop the sync: keep the entry
			// without ciphertext, say why, and try again next sync.
			meta, merr := metaOf(s, 0, seq)
			if merr == nil {
				out[i] = fetched{e: &entry{sub: s, seq: seq, err: fmt.Sprintf("%v: %v", errDamaged, err)}, recs: []vault.Record{{Bucket: bucketSub + h.id, Key: s.ID, Value: meta, Kept: kept}}}
				return
			}
			err = merr
		}
		var recs []vault.Record
		if err == nil {
			recs, err = subRecords(h.id, s, ct, seq, kept)
		}
		if err != nil {
			mu.Lock()
			firstErr = cmpErr(firstErr, err)
			mu.Unlock()
			return
		}
		out[i] = fetched{e: newEntry(s, seq, len(recs)-1, ct, h.ids), recs: recs, downloaded: true}
	})
	if firstErr != nil {
		return nil, now, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, now, err
	}
	return out, now, nil
}

// keepPage keeps what [Book.fetchPage] took of a page in the vault with
// the page's cursor (in one transaction when it fits), then in memory.
func (b *Book) keepPage(h *hubConn, p *wire.SubmissionList, out []fetched, now time.Time) error {
	if b.beforeKeep != nil {
		b.beforeKeep()
	}
	var recs []vault.Record
	for _, f := range out {
		recs = append(recs, f.recs...)
	}
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	b.mu.Lock()
	m := b.models[h.id] // a purge may have replaced it
	prev := m.cursor
	m.cursor = p.Next
	recs = append(recs, stateRecords(h.id, m, now)...)
	m.cursor = prev
	b.mu.Unlock()
	if err := putBatched(b.v, recs); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	m.cursor = p.Next
	var took []*entry
	for _, f := range out {
		if f.skip || f.e == nil {
			continue
		}
		m.entries[f.e.sub.ID] = f.e
		b.idx.put(h.id+"/"+f.e.sub.ID, f.e.text())
		took = append(took, f.e)
	}
	changes := b.changesLocked(h.id, m, took)
	for _, f := range out {
		if f.downloaded {
			h.st.Done++
		}
	}
	h.st.Total = max(h.st.Total, h.st.Done)
	b.notifyLocked(changes)
	if len(changes) > 0 {
		b.logf("casebook: hub %s: took in %d submissions", h.id, len(changes))
	}
	return nil
}

// changeLocked is the change of the case e belongs to.
func (b *Book) changeLocked(hub string, m *hubModel, e *entry) Change {
	root := m.rootOf(e)
	ch := Change{Hub: hub, ID: root, Kind: e.sub.Kind}
	if k := m.caseOf(hub, root); k != nil {
		it := k.item(m)
		ch.Urgent, ch.Kind = it.Urgent, it.Kind
	}
	return ch
}

// changesLocked is the change of the case each of es belongs to, in
// order. It groups the page's cases in one pass over the hub's
// submissions, not one per submission (which made a first sync of n
// reports take n²/2 steps).
func (b *Book) changesLocked(hub string, m *hubModel, es []*entry) []Change {
	if len(es) == 0 {
		return nil
	}
	roots := make(map[string]bool, len(es))
	for _, e := range es {
		roots[m.rootOf(e)] = true
	}
	cases := m.casesWith(hub, roots)
	items := make(map[string]Item, len(cases))
	out := make([]Change, 0, len(es))
	for _, e := range es {
		root := m.rootOf(e)
		ch := Change{Hub: hub, ID: root, Kind: e.sub.Kind}
		if k := cases[root]; k != nil {
			it, ok := items[root]
			if !ok {
				it = k.item(m)
				items[root] = it
			}
			ch.Urgent, ch.Kind = it.Urgent, it.Kind
		}
		out = append(out, ch)
	}
	return out
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// maxCiphertext bounds a download: the largest bundle, with age's
// overhead and a post-quantum header for many recipients.
const maxCiphertext = 2<<30 + 64<<20

// errDamaged is what a submission whose copy came damaged says.
var errDamaged = errors.New("casebook: the hub sent a damaged copy; it is downloaded again at the next sync")

// errTooLarge is a download larger than the hub said or than any bundle.
var errTooLarge = errors.New("casebook: the hub sent more than the submission's size")

// inFlight bounds the bytes of ciphertext a page's workers download and
// decrypt at once (a larger download goes alone).
const inFlight = 64 << 20

// downloaders is how many submissions of a page are downloaded and
// decrypted at once: two more than the CPUs, so that the CPUs decrypt
// while some downloads wait for the hub.
func downloaders() int { return min(max(runtime.GOMAXPROCS(0), 1), 8) + 2 }

// downloadLimit is the most a download of s may bring.
func downloadLimit(s wire.Submission) int64 {
	if s.Size > 0 && s.Size < maxCiphertext {
		return s.Size
	}
	return maxCiphertext
}

// download fetches a submission's ciphertext into memory, bounded.
func download(ctx context.Context, c *client.Client, s wire.Submission) ([]byte, error) {
	limit := downloadLimit(s)
	w := &boundedBuffer{limit: limit}
	if s.Size > 0 && s.Size < 64<<20 {
		w.b = make([]byte, 0, s.Size)
	}
	if _, err := c.Download(ctx, s.ID, w); err != nil {
		return nil, fmt.Errorf("casebook: unable to download a submission: %w", err)
	}
	return w.b, nil
}

type boundedBuffer struct {
	b     []byte
	limit int64
}

func (w *boundedBuffer) Write(p []byte) (int, error) {
	if int64(len(w.b))+int64(len(p)) > w.limit {
		return 0, errTooLarge
	}
	w.b = append(w.b, p...)
	return len(p), nil
}

// ReadFrom reads r to its end into the buffer's own memory, so that
// io.Copy does not allocate a buffer of its own for each download (a
// tenth of what a first sync allocated).
func (w *boundedBuffer) ReadFrom(r io.Reader) (int64, error) {
	var total int64
	for {
		if len(w.b) == cap(w.b) {
			w.b = slices.Grow(w.b, min(max(cap(w.b), 512), 4<<20))
		}
		// One byte more than the limit allows tells a download too large.
		room := min(int64(cap(w.b)-len(w.b)), w.limit+1-int64(len(w.b)))
		n, err := r.Read(w.b[len(w.b) : len(w.b)+int(room)])
		w.b = w.b[:len(w.b)+n]
		total += int64(n)
		if int64(len(w.b)) > w.limit {
			w.b = w.b[:w.limit]
			return total - 1, errTooLarge
		}
		if errors.Is(err, io.EOF) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

var (
	_ io.Writer     = (*boundedBuffer)(nil)
	_ io.ReaderFrom = (*boundedBuffer)(nil)
)

// forgetUnseen forgets the submissions of h the hub no longer lists.
func (b *Book) forgetUnseen(h *hubConn, seen map[string]bool) error {
	_, err := b.forgetWhere(h, func(id string, _ *entry) bool { return !seen[id] })
	return err
}

// forgetWhere forgets the submissions of h that pick chooses (called
// under b.mu's read lock), and then rewrites the vault file: a deleted
// case's or a case restricted to others' sealed records must not stay in
// the file's free pages either. It returns how many it forgot.
func (b *Book) forgetWhere(h *hubConn, pick func(id string, e *entry) bool) (int, error) {
	b.mu.RLock()
	var gone []*entry
	for id, e := range b.models[h.id].entries {
		if pick(id, e) {
			gone = append(gone, e)
		}
	}
	b.mu.RUnlock()
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	for _, e := range gone {
		if err := b.forget(h, e); err != nil {
			return 0, err
		}
	}
	if len(gone) > 0 {
		if err := b.v.Compact(); err != nil {
			return 0, fmt.Errorf("casebook: unable to rewrite the local copy: %w", err)
		}
	}
	return len(gone), nil
}

// forget removes a submission from the vault and from memory. The
// caller holds b.writeMu.
func (b *Book) forget(h *hubConn, e *entry) error {
	if err := forgetSub(b.v, h.id, e.sub.ID, e.seq, e.chunks); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.models[h.id]
	root := m.rootOf(e)
	delete(m.entries, e.sub.ID)
	delete(m.read, e.sub.ID)
	delete(m.work.records, e.sub.ID)
	b.idx.drop(h.id + "/" + e.sub.ID)
	b.notifyLocked([]Change{{Hub: h.id, ID: root, Kind: e.sub.Kind}})
	return nil
}
