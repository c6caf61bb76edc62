package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"difesa.org/difesa/internal/pow"
	"difesa.org/difesa/internal/web"
	"difesa.org/difesa/internal/wire"
)

// Proof of work (docs/pow.md). While the server is under load, the
// anonymous uploads that store a defender's ciphertext must carry a solved
// challenge in Difesa-PoW, checked before the body is read and before the
// upload takes a place in the hub's hour or an upload slot (admission.go):
//
//   - new submissions, reports and alerts alike (the kind is the sender's
//     word, so exempting alerts would exempt everyone);
//   - follow-ups to a conversation;
//   - arming a check-in, which stores its instructions.
//
// Never asked of:
//
//   - a check-in or stopping one. A check-in stores nothing but a time and
//     must never be late; and the duress code must get exactly the answer
//     the check-in code gets, so neither can be treated differently. A
//     defender in danger with an armed timer has, in the duress code, a
//     way to raise the alarm that no load delays.
//   - responders' uploads (replies, rekeys): they are authenticated.
//   - uploads through the form without JavaScript (web.FromForm), which
//     cannot do the work: while work is asked for they share a small
//     reserved rate (pow_forms_per_minute) and beyond it get a page saying
//     when to come back.

// powError refuses an upload and hands the client a fresh challenge.
type powError struct {
	retryError
	pow wire.PoW
}

func (e powError) Unwrap() error { return e.retryError }

// powOf returns the challenge an error answer carries, if any.
func powOf(err error) *wire.PoW {
	var pe powError
	if errors.As(err, &pe) {
		return &pe.pow
	}
	return nil
}

var errPoWBusy = retryError{apiError(http.StatusServiceUnavailable, wire.CodeUnavailable,
	"the server has checked more proofs of work lately than it can remember; try again shortly"), 30 * time.Second}

// requirePoW is the middleware of the anonymous upload routes: while the
// gate asks for work it admits only uploads with a good solution (or, from
// the form without JavaScript, within the reserved rate), before their body
// is read. It counts every upload it admits, which is the load the gate
// measures.
func (s *Server) requirePoW(next http.Handler) http.Handler {
	if s.pow == nil {
		return next
	}
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if bits := s.pow.Bits(); bits > 0 {
			if err := s.checkPoW(r, hubOf(r).ID, bits); err != nil {
				return err
			}
		}
		defer s.pow.Started()()
		next.ServeHTTP(w, r)
		return nil
	})
}

func (s *Server) checkPoW(r *http.Request, hubID string, bits int) error {
	if web.FromForm(r) {
		if ok, wait := s.pow.AdmitForm(); !ok {
			return retryLater(wait, "the hub is busy, and uploads without JavaScript are limited while it is; try again in %v",
				(wait + time.Second - 1).Truncate(time.Second))
		}
		return nil
	}
	proofs := r.Header.Values(wire.HeaderPoW)
	if len(proofs) == 0 {
		return s.askPoW(hubID, bits, wire.CodePoWRequired,
			"the hub is busy: solve the proof-of-work challenge (docs/pow.md) and send again with a %s header", wire.HeaderPoW)
	}
	err := fmt.Errorf("%w: %d %s headers", pow.ErrMalformed, len(proofs), wire.HeaderPoW)
	if len(proofs) == 1 {
		err = s.pow.Redeem(hubID, proofs[0], bits)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pow.ErrBusy):
		return errPoWBusy
	}
	return s.askPoW(hubID, bits, wire.CodePoWInvalid, "%v; solve this new challenge and send again", err)
}

// askPoW refuses with code and a fresh challenge at bits.
func (s *Server) askPoW(hubID string, bits int, code, format string, args ...any) error {
	c, err := s.pow.Challenge(hubID, bits)
	if err != nil {
		return err
	}
	return powError{
		retryError: retryError{apiError(http.StatusTooManyRequests, code, format, args...), 0},
		pow:        wire.PoW{Difficulty: bits, Challenge: c.String(), ExpiresIn: int(s.pow.TTL() / time.Second)},
	}
}

// handlePoW says whether work is asked for now and, if so, hands out a
// challenge, so that a client can solve it before it starts an upload.
func (s *Server) handlePoW(w http.ResponseWriter, r *http.Request) error {
	var out wire.PoW
	if s.pow != nil {
		if bits := s.pow.Bits(); bits > 0 {
			c, err := s.pow.Challenge(hubOf(r).ID, bits)
			if err != nil {
				return err
			}
			out = wire.PoW{Difficulty: bits, Challenge: c.String(), ExpiresIn: int(s.pow.TTL() / time.Second)}
		}
	}
	return writeJSON(w, http.StatusOK, out)
}
