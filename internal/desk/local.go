package desk

import (
	"net/http"
	"strconv"

	"difesa.org/difesa/internal/desk/casebook"
)

func (s *Server) local(w http.ResponseWriter, r *http.Request) {
	u, err := s.book.Usage()
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "usage", err)
		return
	}
	s.pages.render(w, http.StatusOK, s.newView(r, sessionOf(r.Context()), "local", localData{Usage: u}))
}

type localData struct {
	Usage  casebook.Usage
	Purged int
}

// purge removes local copies: all of them (with a ticked confirmation), or
// those older than a number of days.
func (s *Server) purge(w http.ResponseWriter, r *http.Request) {
	switch r.PostFormValue("what") {
	case "all":
		if r.PostFormValue("confirm") != "yes" {
			s.fail(w, r, http.StatusBadRequest, "purge_unconfirmed", nil)
			return
		}
		if err := s.book.PurgeAll(); err != nil {
			s.fail(w, r, http.StatusInternalServerError, "purge", err)
			return
		}
	case "older":
		days, err := strconv.Atoi(r.PostFormValue("days"))
		if err != nil || days < 1 || days > 36500 {
			s.fail(w, r, http.StatusBadRequest, "bad_days", nil)
			return
		}
		if _, err := s.book.Purge(days); err != nil {
			s.fail(w, r, http.StatusInternalServerError, "purge", err)
			return
		}
	default:
		s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
		return
	}
	s.thumbs.forget()
	http.Redirect(w, r, "/local?done=purge", http.StatusSeeOther)
}
