package api

import (
	"crypto/sha256"
	"errors"
	"mime"
	"net/http"
	"time"

	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// Check-in limits: how often a timer may be due, and how much grace.
const (
	MaxCheckinEvery = 30 * 24 * time.Hour
	MaxCheckinGrace = 7 * 24 * time.Hour
)

var errNoCheckin = apiError(http.StatusNotFound, wire.CodeNoCheckin, "no check-in for this code at this hub")

// CheckinVerifier is what the store keeps of a check-in or duress code.
func CheckinVerifier(normalised string) [32]byte {
	return sha256.Sum256([]byte("difesa checkin verifier v1" + normalised))
}

// handleArmCheckin stores a defender's encrypted instructions and arms a
// timer first due after ?every, with ?grace more before it fires.
func (s *Server) handleArmCheckin(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	q := r.URL.Query()
	every, err1 := time.ParseDuration(q.Get("every"))
	grace, err2 := time.ParseDuration(q.Get("grace"))
	if q.Get("grace") == "" {
		grace, err2 = 0, nil
	}
	if err1 != nil || err2 != nil || every < s.minCheckinEvery || every > MaxCheckinEvery || grace < 0 || grace > MaxCheckinGrace {
		return apiError(http.StatusBadRequest, wire.CodeBadRequest,
			"every must be between %v and %v, grace between 0 and %v (e.g. every=24h&grace=2h)", s.minCheckinEvery, MaxCheckinEvery, MaxCheckinGrace)
	}
	code, ok1 := decode32(r.Header.Get(wire.HeaderCheckinVerifier))
	duress, ok2 := decode32(r.Header.Get(wire.HeaderDuressVerifier))
	if !ok1 || !ok2 || string(code) == string(duress) {
		return apiError(http.StatusBadRequest, wire.CodeBadRequest,
			"%s and %s must be two different 32-byte verifiers, base64url", wire.HeaderCheckinVerifier, wire.HeaderDuressVerifier)
	}
	set, err := s.declaredEpoch(r, h)
	if err != nil {
		return err
	}
	round := min(time.Minute, s.minCheckinEvery)
	deadline := store.RoundUp(s.now().Add(every), round)
	up := s.store.NewUpload(h.ID)
	up.ArmCheckin(store.Checkin{Every: every, Grace: grace, Deadline: deadline, Round: round}, [32]byte(code), [32]byte(duress))
	sub, err := s.receive(w, r, h, set, 0, up, store.Submission{
		Kind: wire.KindCheckin, Received: h.RoundTime(s.now()), Status: wire.StatusNew,
	})
	if err != nil {
		return err
	}
	s.pokeCheckins()
	return writeJSON(w, http.StatusCreated, wire.CheckinArmed{ID: sub.ID.String(), Deadline: deadline.UTC().Format(time.RFC3339)})
}

// checkinCode reads and normalises the code of a check-in request, from
// JSON or from a plain HTML form (no JavaScript needed: a code reveals no
// report content).
func (s *Server) checkinCode(w http.ResponseWriter, r *http.Request) ([32]byte, error) {
	var req wire.CheckinRequest
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/x-www-form-urlencoded" {
		r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
		if err := r.ParseForm(); err != nil {
			return [32]byte{}, apiError(http.StatusBadRequest, wire.CodeBadRequest, "malformed form")
		}
		req.Code = r.PostForm.Get("code")
	} else if err := readJSON(w, r, &req); err != nil {
		return [32]byte{}, err
	}
	c, err := codename.Parse(req.Code)
	if err != nil {
		// Same work as a well-formed code, then the same answer as an
		// unknown one.
		CheckinVerifier(req.Code)
		return [32]byte{}, s.wrongCode(hubOf(r).ID)
	}
	v := CheckinVerifier(c.String())
	ok, err := s.store.HasCheckin(hubOf(r).ID, v)
	if err != nil {
		return [32]byte{}, err
	}
	if !ok {
		return [32]byte{}, s.wrongCode(hubOf(r).ID)
	}
	return v, nil
}

// wrongCode answers a code that names no timer, counting it against the
// codename guessing limit. Only wrong codes count: a flood of them, or of
// thread lookups, at this hub or another, must never refuse a defender's
// right code (a refused check-in becomes a false "missed" alarm). A
// right code is found only by knowing it: with 90 bits, guessing at the
// server's full speed is as hopeless as at the limit's.
func (s *Server) wrongCode(hubID string) error {
	if ok, wait := s.codenameLimit.Allow(hubID); !ok {
		return retryLater(wait, "too many code attempts at this hub; try again in a moment")
	}
	return errNoCheckin
}

// handleCheckin moves a timer's deadline. The duress code gets exactly the
// same answer (status, headers, body) as the check-in code; only the
// responders learn the difference.
func (s *Server) handleCheckin(w http.ResponseWriter, r *http.Request) error {
	v, err := s.checkinCode(w, r)
	if err != nil {
		return err
	}
	c, err := s.store.CheckIn(hubOf(r).ID, v, s.now())
	if errors.Is(err, store.ErrNoCheckin) {
		return s.wrongCode(hubOf(r).ID) // stopped since it was looked up
	}
	if err != nil {
		return err
	}
	s.pokeCheckins()
	s.kickNotifier()
	return writeJSON(w, http.StatusOK, wire.CheckinDone{NextDeadline: c.Deadline.UTC().Format(time.RFC3339)})
}

// handleStopCheckin ends a timer (the duress code only raises the alarm,
// with the same answer).
func (s *Server) handleStopCheckin(w http.ResponseWriter, r *http.Request) error {
	v, err := s.checkinCode(w, r)
	if err != nil {
		return err
	}
	if err := s.store.StopCheckin(hubOf(r).ID, v); errors.Is(err, store.ErrNoCheckin) {
		return s.wrongCode(hubOf(r).ID)
	} else if err != nil {
		return err
	}
	s.pokeCheckins() // either code: a stopped timer, or a duress alarm to note now
	s.kickNotifier()
	w.WriteHeader(http.StatusNoContent)
	return nil
}
