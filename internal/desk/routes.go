package desk

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"difesa.org/difesa/internal/desk/casebook"
)

// routes is the one table of the desk's routes. Every request passes the
// Host check; every route but /open and the assets needs the session.
func (s *Server) routes() http.Handler {
	in := http.NewServeMux()
	in.HandleFunc("GET /{$}", s.inbox)
	in.HandleFunc("GET /search", s.search)
	in.HandleFunc("POST /search", s.startSearch)
	in.HandleFunc("GET /case/{hub}/{id}", s.caseView)
	in.HandleFunc("GET /case/{hub}/{id}/file/{n}", s.download)
	in.HandleFunc("GET /case/{hub}/{id}/preview/{n}", s.preview)
	in.HandleFunc("POST /case/{hub}/{id}/status", s.setStatus)
	in.HandleFunc("POST /case/{hub}/{id}/reply", s.reply)
	in.HandleFunc("GET /case/{hub}/{id}/delete", s.deleteConfirm)
	in.HandleFunc("POST /case/{hub}/{id}/delete", s.deleteCase)
	in.HandleFunc("POST /case/{hub}/{id}/export", s.exportCase)
	in.HandleFunc("POST /case/{hub}/{id}/work", s.caseWork)
	in.HandleFunc("GET /case/{hub}/{id}/restrict", s.restrictView)
	in.HandleFunc("POST /case/{hub}/{id}/restrict", s.restrictCase)
	in.HandleFunc("GET /settings", s.settings)
	in.HandleFunc("POST /settings/{hub}", s.editSettings)
	in.HandleFunc("POST /alarm/{hub}/{id}/ack", s.ack)
	in.HandleFunc("GET /local", s.local)
	in.HandleFunc("POST /local/purge", s.purge)
	in.HandleFunc("POST /lang", s.setLang)
	in.HandleFunc("GET /events", s.events)
	in.HandleFunc("GET /problem", s.problem)
	in.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "not_found", nil)
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /open", s.open)
	mux.HandleFunc("GET /assets/{name}", serveAsset)
	mux.Handle("/", s.requireSession(in))
	return headers(s.checkHost(mux))
}

// open exchanges the one-time secret for the session cookie, then sends
// the browser to the clean address. The answer is a page that refreshes
// to "/", not a redirect: a browser that opened the address from another
// site (a file, a mail) would not send a SameSite=Strict cookie along a
// redirect that site started.
func (s *Server) open(w http.ResponseWriter, r *http.Request) {
	tok, ok := s.access.exchange(r.URL.Query().Get(secretParam))
	if !ok {
		s.refuse(w, r, nil, http.StatusForbidden, "bad_secret")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    tok,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	})
	s.pages.render(w, http.StatusOK, s.newView(r, nil, "opened", nil))
}

// setLang is the language picker: the choice lives in the session, in
// memory, nowhere in the browser.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	l := r.PostFormValue("lang")
	if !cat.Has(l) {
		s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
		return
	}
	sessionOf(r.Context()).setLanguage(l)
	back := r.PostFormValue("back")
	if !localPath(back) || strings.ContainsAny(back, "?#") {
		back = "/"
	}
	http.Redirect(w, r, back+"?done=lang", http.StatusSeeOther)
}

// localPath reports whether p is a path of the desk ("/…", not "//…").
func localPath(p string) bool {
	return len(p) > 0 && len(p) < 2048 && p[0] == '/' && (len(p) == 1 || (p[1] != '/' && p[1] != '\\'))
}

// refuse answers a request the desk does not let through.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, sess *session, status int, why string) {
	v := s.newView(r, nil, "refused", why)
	if sess != nil {
		v.Lang = langOf(sess, r)
	}
	s.pages.render(w, status, v)
}

// fail shows an error page. err is logged without the request; it never
// holds content (the casebook's errors do not).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, why string, err error) {
	if err != nil {
		switch {
		case errors.Is(err, casebook.ErrNotFound):
			status, why = http.StatusNotFound, "not_found"
		case errors.Is(err, casebook.ErrReadOnly):
			status, why = http.StatusServiceUnavailable, "read_only"
		case errors.Is(err, casebook.ErrCannotReply):
			status, why = http.StatusConflict, "cannot_reply"
		case errors.Is(err, casebook.ErrBadEdit):
			status, why = http.StatusBadRequest, "bad_edit"
		case errors.Is(err, casebook.ErrNoLabel):
			status, why = http.StatusForbidden, "no_label"
		default:
			s.logf("desk: %s: %s", why, errorClass(err))
		}
	}
	if r.Method == http.MethodPost && sessionOf(r.Context()) != nil {
		// The answer to a post is a page the browser keeps with the
		// posted data (a reply's text) in its session files: the error
		// is shown at an address of its own instead.
		http.Redirect(w, r, "/problem?e="+why+"&s="+strconv.Itoa(status), http.StatusSeeOther)
		return
	}
	s.pages.render(w, status, s.newView(r, sessionOf(r.Context()), "error", why))
}

// problem shows the error a post ended with (see [Server.fail]).
func (s *Server) problem(w http.ResponseWriter, r *http.Request) {
	why := r.URL.Query().Get("e")
	status, err := strconv.Atoi(r.URL.Query().Get("s"))
	if _, ok := cat.Messages(defaultLang)["error_"+why]; !ok || err != nil || status < 400 || status > 599 {
		why, status = "bad_request", http.StatusBadRequest
	}
	s.pages.render(w, status, s.newView(r, sessionOf(r.Context()), "error", why))
}
