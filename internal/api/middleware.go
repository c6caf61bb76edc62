package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/web"
	"difesa.org/difesa/internal/wire"
)

type ctxKey int

const (
	ctxHub ctxKey = iota
)

// securityHeaders applies to every answer. The API serves no HTML that
// needs anything, so the policy forbids everything.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; frame-ancestors 'none'; form-action 'self'")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a panic into a generic 500. It logs the panic value,
// never the request.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic in handler", "panic", v)
				s.writeError(w, errPanic)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

var errPanic = apiError(http.StatusInternalServerError, wire.CodeInternal, "internal error")

// withHub resolves the {hub} URL parameter.
func (s *Server) withHub(next http.Handler) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		h := s.hubs.Get(chi.URLParam(r, "hub"))
		if h == nil {
			return errNoHub
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxHub, h)))
		return nil
	})
}

// withHubPages is [Server.withHub] for the hub's pages and files: a
// browser that asks for a page of a hub this server does not have (a
// mistyped or outdated address) gets the pages' own "not found" page, in
// its language, instead of the API's JSON error.
func (s *Server) withHubPages(pages http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		withHub := s.withHub(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if (r.Method == http.MethodGet || r.Method == http.MethodHead) && web.WantsPage(r) && s.hubs.Get(chi.URLParam(r, "hub")) == nil {
				pages.ServeHTTP(w, r) // renders "not found" for a nil hub
				return
			}
			withHub.ServeHTTP(w, r)
		})
	}
}

func hubOf(r *http.Request) *hub.Hub { return r.Context().Value(ctxHub).(*hub.Hub) }

// requireResponder admits requests with a live bearer token for the hub.
func (s *Server) requireResponder(next http.Handler) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			return errAuthToken
		}
		if _, err := s.auth.Authenticate(hubOf(r), strings.TrimSpace(bearer)); err != nil {
			return err
		}
		next.ServeHTTP(w, r)
		return nil
	})
}
