package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"difesa.org/difesa/internal/hubkeys"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// handleManifest serves the current signed manifest, or the one of the
// epoch in the URL, exactly as published.
func (s *Server) handleManifest(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	set := h.Current()
	if e := chi.URLParam(r, "epoch"); e != "" {
		epoch, err := strconv.ParseUint(strings.TrimSuffix(e, ".json"), 10, 64)
		if err != nil || !strings.HasSuffix(e, ".json") {
			return errNoRoute
		}
		set = nil
		for _, s := range h.Epochs() {
			if s.Epoch == epoch {
				set = s
			}
		}
		if set == nil {
			return apiError(http.StatusNotFound, wire.CodeNotFound, "this hub has no epoch %d (it is at %d)", epoch, h.Epoch())
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(set.Signed)
	return err
}

func (s *Server) handleManifestList(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	out := wire.ManifestList{Current: h.Epoch(), Manifests: []wire.ManifestInfo{}}
	for _, set := range h.Epochs() {
		signed, err := manifest.ParseSigned(set.Signed)
		if err != nil {
			return err
		}
		out.Manifests = append(out.Manifests, wire.ManifestInfo{
			Epoch:     set.Epoch,
			Hash:      manifest.Hash(signed.Manifest),
			Published: set.Published.UTC().Format(time.RFC3339),
		})
	}
	return writeJSON(w, http.StatusOK, out)
}

// handlePublishManifest accepts the next signed manifest. It needs no
// token: only the hub's admin key can produce an acceptable body.
func (s *Server) handlePublishManifest(w http.ResponseWriter, r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return apiError(http.StatusUnsupportedMediaType, wire.CodeUnsupportedType, "send the signed manifest with Content-Type: application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, manifest.MaxSignedSize))
	if err != nil {
		return err
	}
	s.publishMu.Lock()
	defer s.publishMu.Unlock()
	h := s.hubs.Get(hubOf(r).ID) // the latest, under the lock
	nh, m, err := hubkeys.Publish(s.store, h, body, s.now())
	if err != nil {
		return err
	}
	s.hubs.Put(nh)
	// Responders the new manifest leaves out are already refused (every
	// request checks the current manifest); end their sessions, and with
	// them their open event streams.
	n := s.auth.EndRemoved(nh)
	s.log.Info("manifest published", "hub", nh.ID, "epoch", m.Epoch, "recipients", len(m.Recipients), "sessions_ended", n)
	return writeJSON(w, http.StatusCreated, wire.ManifestPublished{Epoch: m.Epoch})
}

func (s *Server) handleEpochs(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	counts, err := s.store.EpochCounts(h.ID)
	if err != nil {
		return err
	}
	out := wire.EpochCounts{Current: h.Epoch(), Submissions: map[string]int{}}
	for e, n := range counts {
		out.Submissions[strconv.FormatUint(e, 10)] = n
	}
	return writeJSON(w, http.StatusOK, out)
}

// handleAudit lists one page of the hub's audit log (paging.go).
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageQuery(r)
	if err != nil {
		return err
	}
	events, next, more, err := s.store.AuditAfter(hubOf(r).ID, after, limit)
	if errors.Is(err, store.ErrCursorAhead) {
		return errCursorAhead
	}
	if err != nil {
		return err
	}
	out := wire.AuditLog{Events: make([]wire.AuditEvent, 0, len(events)), Next: formatCursor(next), More: more}
	for _, ev := range events {
		out.Events = append(out.Events, wire.AuditEvent{
			Event: ev.Event, Time: ev.Time.UTC().Format(time.RFC3339), Epoch: ev.Epoch, Submission: ev.Submission, Bulletin: ev.Bulletin, Form: ev.Form,
			Alarm: ev.Alarm, By: ev.By,
		})
	}
	return writeJSON(w, http.StatusOK, out)
}
