package client

import (
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"net/http"
	"time"

	"difesa.org/difesa/internal/wire"
)

// Defaults of [Watcher].
const (
	DefaultRetryMin = time.Second
	DefaultRetryMax = time.Minute
)

// seenIDs is how many event ids a [Watcher] remembers to drop repeats.
const seenIDs = 1024

// Watcher follows a hub's live event stream for as long as it runs:
// it reconnects, waiting longer after each failure, when the connection
// drops, and logs in again when the login expires. Events that happen
// while it is disconnected are not replayed (the hub keeps none for the
// stream); the submission list has them.
type Watcher struct {
	// Client is the hub's client. If it is not logged in yet, Run calls
	// Login first.
	Client *Client
	// Login logs Client in (with [Client.Login]). It is called again when
	// the hub ends the stream for an expired login or answers 401.
	Login func(ctx context.Context) error
	// Event is called for each notification, in order, once per id
	// (among the last thousand or so). Run waits for it: a slow Event
	// slows the stream down until the hub drops it.
	Event func(Notification)
	// Status, if set, is told when the stream is connected (err nil) and
	// when a connection or a login failed and Run waits retry before
	// trying again.
	Status func(err error, retry time.Duration)
	// RetryMin and RetryMax bound the wait between attempts
	// ([DefaultRetryMin], [DefaultRetryMax]); each failure doubles it,
	// less a random part of up to a quarter.
	RetryMin, RetryMax time.Duration
	// Idle bounds how long the stream may stay silent
	// ([DefaultStreamIdle]).
	Idle time.Duration
}

// Run follows the stream until ctx is done, and then returns nil. It
// returns an error only for what retrying cannot fix: a login refused for
// the key, a hub that does not exist, a stream the server does not offer
// to this key.
func (w *Watcher) Run(ctx context.Context) error {
	minWait, maxWait := w.RetryMin, w.RetryMax
	if minWait <= 0 {
		minWait = DefaultRetryMin
	}
	if maxWait <= 0 {
		maxWait = DefaultRetryMax
	}
	var (
		needLogin = w.Client.token == ""
		failures  = 0
		seen      = newIDSet(seenIDs)
	)
	// fail reports err and waits before the next attempt; it returns
	// false when ctx ended meanwhile.
	fail := func(err error) bool {
		failures++
		wait := backoff(minWait, maxWait, failures)
		if after, ok := RetryAfter(err); ok && after > wait {
			wait = min(after, 10*maxWait)
		}
		if w.Status != nil {
			w.Status(err, wait)
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}
	for ctx.Err() == nil {
		if needLogin {
			if err := w.Login(ctx); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				if !retryable(err) {
					return err
				}
				if !fail(err) {
					return nil
				}
				continue
			}
			needLogin = false
		}
		s, err := w.Client.Events(ctx, w.Idle)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, &wire.Error{Code: wire.CodeUnauthorized}) {
				needLogin = true
				// Straight to a new login the first time; a hub that
				// keeps refusing fresh logins is waited for.
				if failures == 0 {
					failures++
					continue
				}
			} else if !retryable(err) {
				return err
			}
			if !fail(err) {
				return nil
			}
			continue
		}
		if w.Status != nil {
			w.Status(nil, 0)
		}
		failures = 0
		err = w.follow(s, seen)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrSessionExpired):
			needLogin = true
		default:
			if !fail(err) {
				return nil
			}
		}
	}
	return nil
}

// follow hands the stream's notifications to Event until it ends, and
// returns why it ended.
func (w *Watcher) follow(s *EventStream, seen *idSet) error {
	defer s.Close()
	for {
		n, err := s.Next()
		if err != nil {
			return err
		}
		if n.ID != "" && !seen.add(n.ID) {
			continue
		}
		w.Event(n)
	}
}

// retryable reports whether err may go away by itself: anything but an
// answer of the hub that says the request itself is wrong.
func retryable(err error) bool {
	var we *wire.Error
	if !errors.As(err, &we) {
		return !errors.Is(err, ErrUnsupportedIdentity)
	}
	switch {
	case we.Status >= 500, we.Status == http.StatusTooManyRequests, we.Status == http.StatusRequestTimeout:
		return true
	case we.Status == 0:
		return we.Code == wire.CodeUnavailable || we.Code == wire.CodeTooManyRequests || we.Code == wire.CodeInternal
	}
	return false
}

// backoff returns the wait after n failures (from 1): min doubled each
// time up to max, less a random part of up to a quarter, so that clients
// cut off together do not all come back together.
func backoff(minWait, maxWait time.Duration, n int) time.Duration {
	d := minWait
	for i := 1; i < n && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	if q := int64(d / 4); q > 0 {
		if r, err := rand.Int(rand.Reader, big.NewInt(q)); err == nil {
			d -= time.Duration(r.Int64())
		}
	}
	return d
}

// idSet remembers the last n ids added.
type idSet struct {
	ids  map[string]bool
	ring []string
	next int
}

func newIDSet(n int) *idSet {
	return &idSet{ids: map[string]bool{}, ring: make([]string, n)}
}

// add adds id and reports whether it was new.
func (s *idSet) add(id string) bool {
	if s.ids[id] {
		return false
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.ids, old)
	}
	s.ring[s.next] = id
	s.next = (s.next + 1) % len(s.ring)
	s.ids[id] = true
	return true
}
