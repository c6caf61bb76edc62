package api

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

func submissionID(r *http.Request) (store.ID, error) {
	id, err := store.ParseID(chi.URLParam(r, "id"))
	if err != nil {
		return id, apiError(http.StatusBadRequest, wire.CodeBadRequest, "malformed submission id")
	}
	return id, nil
}

// handleList lists one page of the hub's submissions in the order of
// their latest change (paging.go, docs/api.md). Ranking what is most
// pressing is the client's: it has the whole inbox, the server one page.
func (s *Server) handleList(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	after, limit, err := pageQuery(r)
	if err != nil {
		return err
	}
	page, err := s.store.SubmissionsAfter(h.ID, after, limit)
	if errors.Is(err, store.ErrCursorAhead) {
		return errCursorAhead
	}
	if err != nil {
		return err
	}
	sess, err := s.auth.Authenticate(h, bearerOf(r))
	if err != nil {
		return err
	}
	// One read of the hub's restrictions: a case restricted to others is
	// left out of every page and counted on each.
	restricted, err := s.store.Restrictions(h.ID)
	if err != nil {
		return err
	}
	out := wire.SubmissionList{
		Submissions: make([]wire.Submission, 0, len(page.Submissions)),
		Next:        formatCursor(page.Next),
		More:        page.More,
	}
	for _, keys := range restricted {
		if !slices.Contains(keys, sess.Recipient) {
			out.Restricted++
			if !slices.ContainsFunc(keys, func(k string) bool { _, ok := h.HasRecipient(k); return ok }) {
				out.Unreadable++
			}
		}
	}
	for _, sub := range page.Submissions {
		root := sub.ID
		if sub.Thread != (store.ID{}) {
			root = sub.Thread
		}
		keys, isRestricted := restricted[root]
		if isRestricted && !slices.Contains(keys, sess.Recipient) {
			continue
		}
		ws := wireSubmission(sub)
		ws.Checkin = page.Checkins[sub.ID]
		ws.Case = page.Cases[sub.ID]
		ws.CaseEpoch = page.CaseEpochs[sub.ID]
		ws.Restricted = isRestricted
		out.Submissions = append(out.Submissions, ws)
	}
	return writeJSON(w, http.StatusOK, out)
}

func wireSubmission(sub store.Submission) wire.Submission {
	ws := wire.Submission{
		ID:         sub.ID.String(),
		Kind:       sub.Kind,
		Size:       sub.Size,
		Received:   sub.Received.UTC().Format(time.RFC3339),
		Status:     sub.Status,
		Recipients: sub.Recipients,
		Epoch:      sub.Epoch,
		Serial:     sub.Serial,
	}
	if sub.Thread != (store.ID{}) {
		ws.Thread = sub.Thread.String()
	}
	return ws
}

// downloadIdleTimeout is how long a download may stall before it is cut.
const downloadIdleTimeout = 60 * time.Second

func (s *Server) handleDownload(w http.ResponseWriter, r *http.Request) error {
	id, err := submissionID(r)
	if err != nil {
		return err
	}
	return s.sendCiphertext(w, hubOf(r).ID, id)
}

// sendCiphertext streams a submission's age file.
func (s *Server) sendCiphertext(w http.ResponseWriter, hubID string, id store.ID) error {
	sub, body, err := s.store.OpenSubmission(hubID, id)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", wire.MediaTypeAge)
	h.Set("Content-Length", strconv.FormatInt(sub.Size, 10))
	h.Set("Content-Disposition", `attachment; filename="`+sub.ID.String()+`.age"`)
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	buf := make([]byte, 64<<10)
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			rc.SetWriteDeadline(time.Now().Add(downloadIdleTimeout))
			if _, err := w.Write(buf[:n]); err != nil {
				return nil // the client went away; nothing to answer
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			// Headers are gone; cut the connection so the client sees a
			// truncated body rather than a wrong one.
			s.log.Error("download failed", "err", rerr)
			panic(http.ErrAbortHandler)
		}
	}
}

func (s *Server) handleSetStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := submissionID(r)
	if err != nil {
		return err
	}
	var req wire.StatusUpdate
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	switch req.Status {
	case wire.StatusNew, wire.StatusInProgress, wire.StatusClosed:
	default:
		return apiError(http.StatusBadRequest, wire.CodeBadRequest, "status must be new, in_progress or closed")
	}
	if err := s.store.SetStatus(hubOf(r).ID, id, req.Status); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := submissionID(r)
	if err != nil {
		return err
	}
	if err := s.store.Delete(hubOf(r).ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
