package desk

import (
	"context"
	"mime"
	"net/http"
	"net/url"
)

// csp is the desk's Content-Security-Policy: nothing inline, nothing from
// anywhere but the desk itself.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Limits on what a browser may send.
const (
	// maxFormBody bounds a form without files.
	maxFormBody = 256 << 10
	// maxUpload bounds a form with files (a reply's attachments). The
	// whole form is parsed in memory: Go's multipart reader would write
	// larger files to a temporary file, and these are plaintext.
	maxUpload = 32 << 20
)

// headers sets the headers every answer carries, whatever it is.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		next.ServeHTTP(w, r)
	})
}

// checkHost refuses any request whose Host is not exactly the desk's
// address: a page on a rebound DNS name reaches the port but not the desk.
func (s *Server) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != s.host {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusMisdirectedRequest)
			w.Write([]byte("desk: this address is not the desk's\n"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

type sessionKey struct{}

// sessionOf returns the session that [Server.requireSession] found.
func sessionOf(ctx context.Context) *session {
	s, _ := ctx.Value(sessionKey{}).(*session)
	return s
}

// requireSession lets through only requests with the session cookie; a
// request that changes something must also come from the desk's own
// origin and carry the session's CSRF token in its form.
func (s *Server) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.access.session(r)
		if sess == nil {
			s.refuse(w, r, nil, http.StatusForbidden, "no_session")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if r.Method != http.MethodPost {
				s.refuse(w, r, sess, http.StatusMethodNotAllowed, "bad_method")
				return
			}
			if !s.sameOrigin(r) {
				s.refuse(w, r, sess, http.StatusForbidden, "cross_origin")
				return
			}
			if !parseForm(w, r) {
				s.refuse(w, r, sess, http.StatusRequestEntityTooLarge, "too_large")
				return
			}
			if !sess.checkCSRF(r.PostFormValue("csrf")) {
				s.refuse(w, r, sess, http.StatusForbidden, "bad_csrf")
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)))
	})
}

// parseForm reads a POST form within the desk's limits, in memory only.
func parseForm(w http.ResponseWriter, r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
		// maxMemory above the body's limit: no part ever goes to disk.
		return r.ParseMultipartForm(maxUpload+1) == nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	return r.ParseForm() == nil
}

// sameOrigin reports whether a state-changing request comes from a page
// of the desk: Sec-Fetch-Site, when the browser sends it, says
// same-origin, and Origin is the desk's. Chromium sends "Origin: null" on
// a form of a page with Referrer-Policy no-referrer: null is taken only
// with Sec-Fetch-Site same-origin. A request with neither is refused.
func (s *Server) sameOrigin(r *http.Request) bool {
	site := r.Header.Get("Sec-Fetch-Site")
	if site != "" && site != "same-origin" {
		return false
	}
	switch o := r.Header.Get("Origin"); o {
	case "":
		return site == "same-origin"
	case "null":
		return site == "same-origin"
	default:
		u, err := url.Parse(o)
		return err == nil && u.Scheme == "http" && u.Host == s.host && u.Path == "" && u.User == nil
	}
}
