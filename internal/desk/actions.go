package desk

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/wire"
)

// Limits on what a responder sends through the desk.
const (
	maxReplyText  = 64 << 10
	maxNoteText   = 4 << 10
	maxReplyFiles = 20
	// actionTimeout bounds one action on a hub (through Tor, slowly).
	actionTimeout = 3 * time.Minute
)

func actionContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), actionTimeout)
}

// backTo sends the browser to the case with what was done.
func backTo(w http.ResponseWriter, r *http.Request, path, done string) {
	http.Redirect(w, r, path+"?done="+done, http.StatusSeeOther)
}

func (s *Server) setStatus(w http.ResponseWriter, r *http.Request) {
	hub, id := r.PathValue("hub"), r.PathValue("id")
	st := r.PostFormValue("status")
	switch st {
	case wire.StatusNew, wire.StatusInProgress, wire.StatusClosed:
	default:
		s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
		return
	}
	ctx, cancel := actionContext(r)
	defer cancel()
	if err := s.book.SetStatus(ctx, hub, id, st); err != nil {
		s.fail(w, r, http.StatusBadGateway, "status", err)
		return
	}
	backTo(w, r, caseURL(hub, id), "status")
}

func (s *Server) reply(w http.ResponseWriter, r *http.Request) {
	hub, id := r.PathValue("hub"), r.PathValue("id")
	text := strings.TrimSpace(r.PostFormValue("text"))
	if len(text) > maxReplyText || !utf8.ValidString(text) {
		s.fail(w, r, http.StatusRequestEntityTooLarge, "too_large", nil)
		return
	}
	var files []casebook.File
	if r.MultipartForm != nil {
		fhs := r.MultipartForm.File["file"]
		if len(fhs) > maxReplyFiles {
			s.fail(w, r, http.StatusRequestEntityTooLarge, "too_large", nil)
			return
		}
		for _, fh := range fhs {
			f, err := fh.Open()
			if err != nil {
				s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
				return
			}
			b, err := io.ReadAll(io.LimitReader(f, maxUpload))
			f.Close()
			if err != nil {
				s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
				return
			}
			files = append(files, casebook.File{Name: safeFileName(fh.Filename), Data: b})
		}
	}
	if text == "" && len(files) == 0 {
		s.fail(w, r, http.StatusBadRequest, "empty_reply", nil)
		return
	}
	ctx, cancel := actionContext(r)
	defer cancel()
	if err := s.book.Reply(ctx, hub, id, text, files); err != nil {
		s.fail(w, r, http.StatusBadGateway, "reply", err)
		return
	}
	backTo(w, r, caseURL(hub, id), "reply")
}

// deleteData is what the delete confirmation shows: what would be lost.
type deleteData struct {
	C                  *casebook.Case
	URL                string
	Messages, Files    int
	CanReply, HasAlarm bool
}

func (s *Server) deleteConfirm(w http.ResponseWriter, r *http.Request) {
	hub, id := r.PathValue("hub"), r.PathValue("id")
	c, err := s.book.Case(hub, id)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "case", err)
		return
	}
	d := deleteData{C: c, URL: caseURL(hub, id), Messages: 1 + len(c.Thread), Files: len(c.Attachments),
		CanReply: c.CanReply, HasAlarm: len(c.Alarms) > 0}
	for _, m := range c.Thread {
		d.Files += len(m.Attachments)
	}
	s.pages.render(w, http.StatusOK, s.newView(r, sessionOf(r.Context()), "delete", d))
}

func (s *Server) deleteCase(w http.ResponseWriter, r *http.Request) {
	hub, id := r.PathValue("hub"), r.PathValue("id")
	if r.PostFormValue("confirm") != "yes" {
		http.Redirect(w, r, caseURL(hub, id)+"/delete", http.StatusSeeOther)
		return
	}
	ctx, cancel := actionContext(r)
	defer cancel()
	if err := s.book.Delete(ctx, hub, id); err != nil {
		s.fail(w, r, http.StatusBadGateway, "delete", err)
		return
	}
	s.thumbs.forget()
	http.Redirect(w, r, "/?done=delete", http.StatusSeeOther)
}

func (s *Server) ack(w http.ResponseWriter, r *http.Request) {
	hub, id := r.PathValue("hub"), r.PathValue("id")
	note := strings.TrimSpace(r.PostFormValue("note"))
	if len(note) > maxNoteText || !utf8.ValidString(note) {
		s.fail(w, r, http.StatusRequestEntityTooLarge, "too_large", nil)
		return
	}
	ctx, cancel := actionContext(r)
	defer cancel()
	if err := s.book.Ack(ctx, hub, id, note); err != nil {
		s.fail(w, r, http.StatusBadGateway, "ack", err)
		return
	}
	back := r.PostFormValue("back")
	if !localPath(back) || strings.Contains(back, "?") {
		back = "/"
	}
	backTo(w, r, back, "ack")
}
