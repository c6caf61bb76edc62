package api

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"difesa.org/difesa/internal/ageformat"
	"difesa.org/difesa/internal/auth"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

func apiError(status int, code, format string, args ...any) *wire.Error {
	return &wire.Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

var (
	errNoRoute   = apiError(http.StatusNotFound, wire.CodeNotFound, "no such page or endpoint")
	errNoHub     = apiError(http.StatusNotFound, wire.CodeNotFound, "no such hub on this server")
	errNoSub     = apiError(http.StatusNotFound, wire.CodeNotFound, "no such submission in this hub")
	errMethod    = apiError(http.StatusMethodNotAllowed, wire.CodeMethodNotAllowed, "method not allowed here")
	errStalled   = apiError(http.StatusBadRequest, wire.CodeBadRequest, "the upload stalled; try again")
	errDiskFull  = apiError(http.StatusInsufficientStorage, wire.CodeStorageFull, "the server's storage is full; try again later")
	errAuthToken = apiError(http.StatusUnauthorized, wire.CodeUnauthorized, "log in first: missing, expired or unknown token")
)

// retryAfter is sent with 429 and 503 answers.
const retryAfter = 30

// handlerFunc is an HTTP handler that reports failure by returning an error.
type handlerFunc func(http.ResponseWriter, *http.Request) error

// handle adapts a handlerFunc: the one place errors become HTTP answers.
func (s *Server) handle(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.writeError(w, err)
		}
	}
}

// retryError is a 429 that knows when to come back.
type retryError struct {
	err   *wire.Error
	after time.Duration
}

func (e retryError) Error() string { return e.err.Error() }
func (e retryError) Unwrap() error { return e.err }

// retryLater answers 429 with Retry-After: after, rounded up to seconds.
func retryLater(after time.Duration, format string, args ...any) error {
	return retryError{apiError(http.StatusTooManyRequests, wire.CodeTooManyRequests, format, args...), after}
}

func (s *Server) writeError(w http.ResponseWriter, err error) {
	e := s.classify(err)
	if s.onError != nil {
		s.onError(e.Code)
	}
	if e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable {
		secs := retryAfter
		var re retryError
		if errors.As(err, &re) {
			secs = int((re.after + time.Second - 1) / time.Second)
		}
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status)
	json.NewEncoder(w).Encode(wire.ErrorBody{Error: e, PoW: powOf(err)})
}

// classify maps any error to an API error. Known errors keep their meaning;
// anything else becomes a generic 500 whose detail stays in the server log
// under a random reference.
func (s *Server) classify(err error) *wire.Error {
	var we *wire.Error
	var maxBytes *http.MaxBytesError
	switch {
	case errors.As(err, &we):
		return we
	case errors.As(err, &maxBytes):
		return apiError(http.StatusRequestEntityTooLarge, wire.CodeTooLarge, "the request is larger than this hub accepts (%d bytes)", maxBytes.Limit)
	case errors.Is(err, ageformat.ErrBadArmor):
		return apiError(http.StatusBadRequest, wire.CodeBadArmor, "%v", err)
	case errors.Is(err, ageformat.ErrBadHeader):
		return apiError(http.StatusBadRequest, wire.CodeBadAgeHeader, "%v", err)
	case errors.Is(err, ageformat.ErrBadPayload):
		return apiError(http.StatusBadRequest, wire.CodeBadPayload, "%v", err)
	case errors.Is(err, ageformat.ErrRecipientMismatch):
		return apiError(http.StatusUnprocessableEntity, wire.CodeRecipientMismatch, "%v; fetch recipients.txt again and re-encrypt", err)
	case errors.Is(err, manifest.ErrBadSignature):
		return apiError(http.StatusUnprocessableEntity, wire.CodeBadSignature, "the manifest is not signed by this hub's admin key")
	case errors.Is(err, manifest.ErrWrongHub):
		return apiError(http.StatusUnprocessableEntity, wire.CodeWrongHub, "the manifest is for another hub")
	case errors.Is(err, manifest.ErrEpochNotNext):
		return apiError(http.StatusConflict, wire.CodeEpochNotNext, "%v; build the next manifest from the hub's current one", err)
	case errors.Is(err, manifest.ErrBrokenChain):
		return apiError(http.StatusConflict, wire.CodeBrokenChain, "%v; build the next manifest from the hub's current one", err)
	case errors.Is(err, manifest.ErrMalformed):
		return apiError(http.StatusBadRequest, wire.CodeBadManifest, "%v", err)
	case errors.Is(err, hub.ErrStaleEpoch):
		return apiError(http.StatusConflict, wire.CodeStaleEpoch, "%v: fetch the current manifest, verify it and encrypt again", err)
	case errors.Is(err, hub.ErrUnknownEpoch):
		return apiError(http.StatusConflict, wire.CodeUnknownEpoch, "%v", err)
	case errors.Is(err, store.ErrAlreadyCurrent):
		return apiError(http.StatusConflict, wire.CodeAlreadyCurrent, "this submission is already encrypted to the current epoch")
	case errors.Is(err, store.ErrThreadExists):
		return apiError(http.StatusConflict, wire.CodeThreadExists, "this codename already has a conversation here: send a follow-up instead")
	case errors.Is(err, store.ErrBulletinReplayed):
		return apiError(http.StatusConflict, wire.CodeBulletinReplayed, "this hub already published a bulletin with this sender and identifier: give the new one its own identifier")
	case errors.Is(err, store.ErrUnknownReference):
		return apiError(http.StatusUnprocessableEntity, wire.CodeBulletinUnknownReference, "the bulletin's references must name bulletins this hub published (same sender, identifier and sent), and an Update or Cancel needs at least one")
	case errors.Is(err, store.ErrThreadFull):
		return apiError(http.StatusConflict, wire.CodeThreadFull, "this conversation holds %d messages, as many as it may: send a new report (with a new codename) to go on", store.MaxThreadMessages)
	case errors.Is(err, store.ErrNoThread):
		return errNoThread
	case errors.Is(err, store.ErrNotFound):
		return errNoSub
	case errors.Is(err, auth.ErrUnauthorized):
		return errAuthToken
	case errors.Is(err, auth.ErrForbidden):
		return apiError(http.StatusForbidden, wire.CodeForbidden, "this token belongs to another hub")
	case errors.Is(err, auth.ErrBadChallenge):
		return apiError(http.StatusUnprocessableEntity, wire.CodeBadChallenge, "wrong, used or expired challenge; ask for a new one")
	case errors.Is(err, os.ErrDeadlineExceeded):
		return errStalled
	case errors.Is(err, store.ErrQuotaExceeded):
		return errHubFull
	case store.IsNoSpace(err):
		s.log.Error("storage full", "err", err)
		return errDiskFull
	}
	ref := make([]byte, 6)
	rand.Read(ref)
	s.log.Error("internal error", "ref", hex.EncodeToString(ref), "err", err)
	return apiError(http.StatusInternalServerError, wire.CodeInternal, "internal error (reference %x)", ref)
}
