package api

import (
	"context"
	"mime"
	"net/http"
	"time"

	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/ratelimit"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// Admission of uploads: what the server refuses before it reads a body,
// while it reads it, and when it commits it.
//
// Behind an onion service every client arrives from the same address, so
// nothing here can tell a flooder from a defender, and nothing tries: the
// limits bound what all clients together can cost, per hub and overall.
//
//   - A hub's max_stored_bytes: 507 quota_exceeded, checked before the
//     body is read (the hub is full, or the declared Content-Length cannot
//     fit), after every chunk while it streams, and once more inside the
//     commit's transaction, so that concurrent uploads cannot overshoot.
//   - A hub's max_submissions_per_hour: 429 too_many_requests with
//     Retry-After, before the body is read. Only accepted uploads count;
//     a reserved place is given back when the upload fails. An alert that
//     finds the hour full may use a small reserve of its own
//     ([alertReserve]).
//   - The server's max_concurrent_uploads: an upload waits up to
//     [Options.UploadQueueWait] for a free slot, then gets 503 unavailable
//     with Retry-After, before the body is read.
//
// Responders' uploads (replies, rekeys) are authenticated: they take an
// upload slot like any other, but a hub's quotas never refuse them.

// Defaults of [Options].
const (
	DefaultMaxConcurrentUploads = 64
	DefaultUploadQueueWait      = 10 * time.Second
)

var errHubFull = apiError(http.StatusInsufficientStorage, wire.CodeQuotaExceeded,
	"this hub is full (it holds as much as its operators allow) and kept nothing; reach its people another way, or try again once they have made room")

// alertReserve is how many alerts a hub with a cap of perHour accepts in
// an hour once the cap is reached: a tenth of it, at least 10. A flood of
// reports does not hold up alerts; a flood of alerts still can, since the
// kind is the sender's word.
func alertReserve(perHour int) int { return max(perHour/10, 10) }

// uploader says who sends an upload, and so which limits apply.
type uploader int

const (
	// newSubmission is POST …/submissions: reports and alerts.
	newSubmission uploader = iota
	// defenderUpload is a follow-up or a check-in's instructions.
	defenderUpload
	// responderUpload is a reply or a rekey, authenticated.
	responderUpload
)

// admission holds the server-wide state of admission.
type admission struct {
	slots  chan struct{}
	wait   time.Duration
	hourly *ratelimit.Window
	// busy refuses an upload that found no slot, with a Retry-After of
	// half the queue wait (5 s by default).
	busy  error
	hooks *slotHooks
}

// slotHooks are told what happens to uploads at the slots, for tests.
type slotHooks struct {
	// taken is called when an upload takes a slot, queued when it
	// finds none free and starts to wait.
	taken, queued func()
}

func newAdmission(o Options, now func() time.Time) *admission {
	n := o.MaxConcurrentUploads
	if n <= 0 {
		n = DefaultMaxConcurrentUploads
	}
	a := &admission{slots: make(chan struct{}, n), wait: o.UploadQueueWait, hourly: ratelimit.NewWindow(time.Hour, now), hooks: o.slotHooks}
	if a.wait <= 0 {
		a.wait = DefaultUploadQueueWait
	}
	a.busy = retryError{apiError(http.StatusServiceUnavailable, wire.CodeUnavailable,
		"the server is receiving as many uploads as it can; try again in a few seconds"), a.wait / 2}
	if o.Hour > 0 {
		a.hourly = ratelimit.NewWindow(o.Hour, now)
	}
	return a
}

// ticket travels with an admitted upload to [Server.receive].
type ticket struct {
	// quota is the hub's max_stored_bytes, or 0 when none applies.
	quota int64
	// kept is set once the upload committed: its place in the hour stays
	// taken.
	kept bool
}

type ticketKey struct{}

// ticketOf returns the request's ticket; a route without admission gets
// one that limits nothing.
func ticketOf(r *http.Request) *ticket {
	if t, ok := r.Context().Value(ticketKey{}).(*ticket); ok {
		return t
	}
	return &ticket{}
}

// room checks that the hub can still take size bytes of this upload.
func (t *ticket) room(st *store.Store, hubID string, size int64) error {
	if t.quota <= 0 {
		return nil
	}
	stored, err := st.StoredBytes(hubID)
	if err != nil {
		return err
	}
	if stored+size > t.quota {
		return errHubFull
	}
	return nil
}

// admit is the middleware of the upload routes: it applies the limits of
// who before handing the request, body unread, to next.
func (s *Server) admit(who uploader) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return s.handle(func(w http.ResponseWriter, r *http.Request) (err error) {
			defer func() {
				if err != nil {
					// The body is unread: answer at once and close,
					// rather than have net/http read up to 256 KiB of
					// it first (or wait for it until the read timeout).
					w.Header().Set("Connection", "close")
				}
			}()
			h := hubOf(r)
			t := &ticket{}
			if who != responderUpload {
				t.quota = h.MaxStoredBytes
				if err := t.room(s.store, h.ID, leastStored(r)); err != nil {
					return err
				}
				giveBack, err := s.takeHourly(h, who == newSubmission && r.URL.Query().Get("kind") == wire.KindAlert)
				if err != nil {
					return err
				}
				defer func() {
					if !t.kept {
						giveBack()
					}
				}()
			}
			release, err := s.admission.slot(r.Context())
			if err != nil {
				return err
			}
			defer release()
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ticketKey{}, t)))
			return nil
		})
	}
}

// leastStored is the fewest bytes the upload can add to the hub: its
// declared length, less what ASCII armor may account for (base64 in lines
// of 64, line breaks, header and footer, leading blank space); 1 when it
// declares none.
func leastStored(r *http.Request) int64 {
	n := r.ContentLength
	if n <= 0 {
		return 1
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "text/plain" {
		n = (n - 2048) / 66 * 64 * 3 / 4
	}
	return max(n, 1)
}

// takeHourly takes a place in the hub's hour, or in its alert reserve for
// an alert, and returns how to give it back.
func (s *Server) takeHourly(h *hub.Hub, alert bool) (giveBack func(), err error) {
	limit := h.MaxSubmissionsPerHour
	if limit <= 0 {
		return func() {}, nil
	}
	hourly := s.admission.hourly
	slot, ok, wait := hourly.Take(h.ID, limit)
	if ok {
		return func() { hourly.Return(h.ID, slot) }, nil
	}
	if alert {
		key := h.ID + "\x00alerts"
		slot, ok, w := hourly.Take(key, alertReserve(limit))
		if ok {
			return func() { hourly.Return(key, slot) }, nil
		}
		wait = min(wait, w)
	}
	return nil, retryLater(wait, "this hub has taken all the submissions it accepts in an hour; try again in %v",
		(wait + time.Second - 1).Truncate(time.Second))
}

// slot waits for one of the server's upload slots and returns how to free
// it.
func (a *admission) slot(ctx context.Context) (release func(), err error) {
	release = func() { <-a.slots }
	select {
	case a.slots <- struct{}{}:
		a.hooks.onTaken()
		return release, nil
	default:
	}
	timer := time.NewTimer(a.wait)
	defer timer.Stop()
	a.hooks.onQueued()
	select {
	case a.slots <- struct{}{}:
		a.hooks.onTaken()
		return release, nil
	case <-timer.C:
		return nil, a.busy
	case <-ctx.Done(): // the client left: nobody reads the answer
		return nil, a.busy
	}
}

// onTaken and onQueued call the hooks, if any.
func (h *slotHooks) onTaken() {
	if h != nil && h.taken != nil {
		h.taken()
	}
}

func (h *slotHooks) onQueued() {
	if h != nil && h.queued != nil {
		h.queued()
	}
}
