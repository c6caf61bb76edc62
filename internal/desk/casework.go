package desk

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/desk/casebook"
)

// dayRE matches a follow-up day as a date input sends it.
var dayRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// maxWorkField bounds a label, sub-status, responder label or link target
// sent by a case-work form (the record's own limits are stricter).
const maxWorkField = 256

// caseWork takes the case-work forms of a case page: one action per
// post, named by "op", written at the hub through the shared edit loop
// (a colleague's change meanwhile is merged, not lost).
func (s *Server) caseWork(w http.ResponseWriter, r *http.Request) {
	hub, id := r.PathValue("hub"), r.PathValue("id")
	edit, ok := workEdit(r)
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
		return
	}
	ctx, cancel := actionContext(r)
	defer cancel()
	if _, err := s.book.EditCase(ctx, hub, id, edit); err != nil {
		s.fail(w, r, http.StatusBadGateway, "work", err)
		return
	}
	backTo(w, r, caseURL(hub, id), "work")
}

// workEdit reads a case-work form into the change it asks for.
func workEdit(r *http.Request) (casebook.CaseEdit, bool) {
	v := func(name string) (string, bool) {
		s := strings.TrimSpace(r.PostFormValue(name))
		return s, len(s) <= maxWorkField && utf8.ValidString(s)
	}
	switch r.PostFormValue("op") {
	case "assign":
		to, ok := v("to")
		return casebook.Assign(to), ok
	case "label_add", "label_remove":
		l, ok := v("label")
		if !ok || l == "" {
			return nil, false
		}
		if r.PostFormValue("op") == "label_add" {
			return casebook.AddLabel(l), true
		}
		return casebook.RemoveLabel(l), true
	case "sub_status":
		st, ok := v("sub_status")
		return casebook.SetSubStatus(st), ok
	case "follow_up":
		day, ok := v("follow_up")
		if day != "" && !dayRE.MatchString(day) {
			return nil, false
		}
		return casebook.SetFollowUp(day), ok
	case "note":
		text := strings.TrimSpace(r.PostFormValue("text"))
		if text == "" || len(text) > caserecord.MaxNoteText || !utf8.ValidString(text) {
			return nil, false
		}
		return casebook.AddNote(text), true
	case "link_add", "link_remove":
		kind := r.PostFormValue("kind")
		target, ok := v("target")
		if !ok || !slices.Contains(casebook.LinkKinds, kind) {
			return nil, false
		}
		if r.PostFormValue("op") == "link_add" {
			return casebook.AddLink(kind, target), true
		}
		return casebook.RemoveLink(kind, target), true
	}
	return nil, false
}

// settingsData is what the settings template gets: each hub's case
// settings.
type settingsData struct {
	Hubs []casebook.Settings
}

// settings shows each hub's label set and sub-statuses, for responders
// to change.
func (s *Server) settings(w http.ResponseWriter, r *http.Request) {
	var d settingsData
	for _, h := range s.book.Status() {
		st, err := s.book.Settings(h.Hub)
		if err != nil {
			s.fail(w, r, http.StatusInternalServerError, "settings", err)
			return
		}
		d.Hubs = append(d.Hubs, st)
	}
	s.pages.render(w, http.StatusOK, s.newView(r, sessionOf(r.Context()), "settings", d))
}

// editSettings adds or removes a label or a sub-status of a hub.
func (s *Server) editSettings(w http.ResponseWriter, r *http.Request) {
	hub := r.PathValue("hub")
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || len(name) > maxWorkField || !utf8.ValidString(name) {
		s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
		return
	}
	var subStatuses, add bool
	switch r.PostFormValue("op") {
	case "label_add":
		add = true
	case "label_remove":
	case "sub_status_add":
		subStatuses, add = true, true
	case "sub_status_remove":
		subStatuses = true
	default:
		s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
		return
	}
	ctx, cancel := actionContext(r)
	defer cancel()
	if err := s.book.EditSettings(ctx, hub, casebook.EditList(subStatuses, add, name)); err != nil {
		s.fail(w, r, http.StatusBadGateway, "settings", err)
		return
	}
	http.Redirect(w, r, "/settings?done=settings", http.StatusSeeOther)
}

// workChoices are the labels and responders the inbox filters offer,
// over every hub.
func (s *Server) workChoices() (labels, responders []string) {
	for _, h := range s.book.Status() {
		st, err := s.book.Settings(h.Hub)
		if err != nil {
			continue
		}
		labels = append(labels, st.Labels...)
		responders = append(responders, st.Responders...)
	}
	slices.Sort(labels)
	slices.Sort(responders)
	return slices.Compact(labels), slices.Compact(responders)
}
