package api

import (
	"io"
	"net/http"
	"sort"
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

// handleList lists the hub's submissions, most pressing first: missed
// check-ins, then alerts not yet closed, then everything else newest first.
func (s *Server) handleList(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	subs, err := s.store.Submissions(h.ID)
	if err != nil {
		return err
	}
	timers, err := s.store.Checkins(h.ID)
	if err != nil {
		return err
	}
	out := wire.SubmissionList{Submissions: make([]wire.Submission, 0, len(subs))}
	for _, sub := range subs {
		ws := wireSubmission(sub)
		if c, ok := timers[sub.ID]; ok {
			ws.Checkin = c.State
		}
		out.Submissions = append(out.Submissions, ws)
	}
	rank := func(ws wire.Submission) int {
		switch {
		case ws.Checkin == store.CheckinMissed:
			return 0
		case ws.Kind == wire.KindAlert && ws.Status != wire.StatusClosed:
			return 1
		}
		return 2
	}
	sort.SliceStable(out.Submissions, func(i, j int) bool {
		return rank(out.Submissions[i]) < rank(out.Submissions[j])
	})
	return writeJSON(w, http.StatusOK, out)
}

func wireSubmission(sub store.Submission) wire.Submission {
	return wire.Submission{
		ID:         sub.ID.String(),
		Kind:       sub.Kind,
		Size:       sub.Size,
		Received:   sub.Received.UTC().Format(time.RFC3339),
		Status:     sub.Status,
		Recipients: sub.Recipients,
		Epoch:      sub.Epoch,
	}
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
