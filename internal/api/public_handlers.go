package api

import (
	"net/http"

	"difesa.org/difesa/internal/web"
	"difesa.org/difesa/internal/wire"
)

// handleRoot answers "/": a browser (Accept: text/html) gets the page
// that says what difesad is and leads to the hubs, in the visitor's
// language; an API client gets the JSON answer it always had.
func (s *Server) handleRoot(page http.Handler) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !web.WantsPage(r) {
			return errNoRoute
		}
		page.ServeHTTP(w, r)
		return nil
	}
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.Ping(); err != nil {
		s.log.Error("health check failed", "err", err)
		return apiError(http.StatusServiceUnavailable, wire.CodeUnavailable, "the store is not available")
	}
	return writeJSON(w, http.StatusOK, wire.Health{Status: "ok"})
}

func (s *Server) handleRecipientsFile(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := w.Write(hubOf(r).RecipientsFile())
	return err
}

func (s *Server) handleHubInfo(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	return writeJSON(w, http.StatusOK, wire.HubInfo{
		ID:                h.ID,
		Name:              h.Name,
		Recipients:        h.RecipientStrings(),
		MaxSubmissionSize: h.MaxSubmissionSize,
		Epoch:             h.Epoch(),
		AdminKey:          h.AdminKey,
		AdminFingerprint:  h.AdminFingerprint,
		BulletinSender:    h.BulletinSender,
	})
}
