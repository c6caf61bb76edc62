package desk

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/wire"
)

// Restricted cases (docs/desk.md, "Restricted cases"): a member chooses
// the responders a case is restricted to, reads who will and who will
// not be able to read it, and confirms; or lifts the restriction the
// same way. The desk then runs the steps of "difesa case restrict" and
// "difesa case unrestrict" (internal/caserestrict).

// restrictData is what the restriction page shows.
type restrictData struct {
	C   *casebook.Case
	URL string
	// Me is the responder's own label, always among the readers.
	Me string
	// Choices are the other responders, Chosen those picked so far.
	Choices []string
	Chosen  map[string]bool
	// Review is set once a choice (or a lift) is made: Readers and
	// Others are who will, and who will not, be able to read the case.
	Review, Lift    bool
	Readers, Others []string
}

// restrictChosen reads the chosen labels of a restriction form: each one
// of the hub's responders, at most [wire.MaxRestrictionKeys].
func restrictChosen(r *http.Request, team []string) ([]string, bool) {
	var out []string
	for _, l := range r.Form["who"] {
		l = strings.TrimSpace(l)
		if l == "" || len(l) > maxWorkField || !utf8.ValidString(l) || !slices.Contains(team, l) {
			return nil, false
		}
		out = append(out, l)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	return out, len(out) <= wire.MaxRestrictionKeys
}

// restrictView shows the choice of responders, or, with ?who=… or
// ?lift=1, the review of what the change does.
func (s *Server) restrictView(w http.ResponseWriter, r *http.Request) {
	hub, id := r.PathValue("hub"), r.PathValue("id")
	c, err := s.book.Case(hub, id)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "case", err)
		return
	}
	st := c.Work.Settings
	if st.Me == "" {
		s.fail(w, r, http.StatusForbidden, "no_label", nil)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
		return
	}
	chosen, ok := restrictChosen(r, st.Responders)
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
		return
	}
	d := restrictData{C: c, URL: caseURL(hub, id), Me: st.Me, Chosen: map[string]bool{}}
	for _, l := range st.Responders {
		if l != st.Me {
			d.Choices = append(d.Choices, l)
		}
	}
	for _, l := range chosen {
		d.Chosen[l] = true
	}
	d.Lift = r.Form.Get("lift") == "1"
	d.Review = d.Lift || r.Form.Get("review") == "1"
	if d.Review {
		readers := map[string]bool{st.Me: true}
		for _, l := range chosen {
			readers[l] = true
		}
		for _, l := range st.Responders {
			if d.Lift || readers[l] {
				d.Readers = append(d.Readers, l)
			} else {
				d.Others = append(d.Others, l)
			}
		}
	}
	s.pages.render(w, http.StatusOK, s.newView(r, sessionOf(r.Context()), "restrict", d))
}

// restrictCase restricts the case to the chosen responders and the
// responder, or lifts its restriction, once confirmed.
func (s *Server) restrictCase(w http.ResponseWriter, r *http.Request) {
	hub, id := r.PathValue("hub"), r.PathValue("id")
	c, err := s.book.Case(hub, id)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "case", err)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		http.Redirect(w, r, caseURL(hub, id)+"/restrict", http.StatusSeeOther)
		return
	}
	chosen, ok := restrictChosen(r, c.Work.Settings.Responders)
	lift := r.PostFormValue("lift") == "1"
	if !ok || lift && len(chosen) > 0 {
		s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
		return
	}
	if !lift {
		chosen = append(chosen, c.Work.Settings.Me)
	} else {
		chosen = nil
	}
	ctx, cancel := actionContext(r)
	defer cancel()
	if _, err := s.book.Restrict(ctx, hub, id, chosen); err != nil {
		if errors.Is(err, casebook.ErrRestrictionChanged) {
			s.fail(w, r, http.StatusConflict, "restriction_changed", nil)
			return
		}
		s.fail(w, r, http.StatusBadGateway, "restrict", err)
		return
	}
	s.thumbs.forget()
	backTo(w, r, caseURL(hub, id), "restrict")
}
