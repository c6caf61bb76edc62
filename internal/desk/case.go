package desk

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/media"
	"difesa.org/difesa/internal/wire"
)

// caseData is what the case template gets.
type caseData struct {
	C        *casebook.Case
	Files    []fileView // the opening message's
	Thread   []messageView
	Statuses []string
	// LinkKinds are the kinds of links between cases.
	LinkKinds []string
	URL       string
	// ExportDir is where "write a folder" writes ("" if the desk has no
	// such folder); Written, what it just wrote there for this case.
	ExportDir, Written string
}

type messageView struct {
	casebook.Message
	Files []fileView
}

// fileView is an attachment as the page shows it.
type fileView struct {
	casebook.Attachment
	FileURL, PreviewURL string
	// Preview is set when the image was re-encoded and can be shown.
	Preview       bool
	Width, Height int
	// GPS is set when the original carried GPS coordinates.
	GPS bool
	// NoPreview names why an image is not shown (a catalogue key).
	NoPreview string
}

func (s *Server) fileViews(hub, id string, as []casebook.Attachment) []fileView {
	out := make([]fileView, len(as))
	for i, a := range as {
		base := caseURL(hub, id)
		out[i] = fileView{Attachment: a, FileURL: base + "/file/" + strconv.Itoa(a.N), PreviewURL: base + "/preview/" + strconv.Itoa(a.N)}
		if !a.Image {
			continue
		}
		p, err := s.previewOf(hub, id, a.N)
		switch {
		case err != nil:
			out[i].NoPreview = "preview_unavailable"
		case p.err != nil:
			out[i].NoPreview = previewRefusal(p.err)
		default:
			out[i].Preview, out[i].GPS = true, p.p.GPS
			out[i].Width, out[i].Height = p.p.Width, p.p.Height
		}
	}
	return out
}

func previewRefusal(err error) string {
	switch {
	case errors.Is(err, media.ErrTooManyPixels), errors.Is(err, media.ErrTooLarge):
		return "preview_too_large"
	case errors.Is(err, media.ErrTrailingData):
		return "preview_trailing"
	case errors.Is(err, media.ErrNotImage):
		return "preview_not_image"
	}
	return "preview_malformed"
}

func (s *Server) previewOf(hub, id string, n int) (*preview, error) {
	if !s.book.Has(hub, id) {
		// Forgotten (deleted, or restricted to others): its previews
		// die with it.
		s.thumbs.forgetCase(hub, id)
		return nil, fmt.Errorf("%w: no case %q on hub %q", casebook.ErrNotFound, id, hub)
	}
	return s.thumbs.get(previewKey{hub, id, n}, func() ([]byte, error) {
		_, b, err := s.book.Attachment(hub, id, n)
		return b, err
	})
}

func (s *Server) caseView(w http.ResponseWriter, r *http.Request) {
	hub, id := r.PathValue("hub"), r.PathValue("id")
	c, err := s.book.Case(hub, id)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "case", err)
		return
	}
	if c.Unread {
		if err := s.book.MarkRead(hub, id); err != nil {
			s.logf("desk: unable to mark a case read: %s", errorClass(err))
		}
	}
	d := caseData{C: c, Files: s.fileViews(hub, id, c.Attachments), URL: caseURL(hub, id),
		Statuses: []string{wire.StatusNew, wire.StatusInProgress, wire.StatusClosed}, ExportDir: s.exportDir,
		LinkKinds: casebook.LinkKinds}
	if r.URL.Query().Get("done") == "export_folder" {
		d.Written = sessionOf(r.Context()).written(hub, id)
	}
	for _, m := range c.Thread {
		d.Thread = append(d.Thread, messageView{m, s.fileViews(hub, id, m.Attachments)})
	}
	s.pages.render(w, http.StatusOK, s.newView(r, sessionOf(r.Context()), "case", d))
}

func attachmentIndex(r *http.Request) (int, bool) {
	n, err := strconv.Atoi(r.PathValue("n"))
	return n, err == nil && n >= 0 && n < 1_000_000
}

// download sends an attachment's original bytes, as evidence: only ever
// as a download, never rendered, whatever it claims to be.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	n, ok := attachmentIndex(r)
	if !ok {
		s.fail(w, r, http.StatusNotFound, "not_found", nil)
		return
	}
	a, b, err := s.book.Attachment(r.PathValue("hub"), r.PathValue("id"), n)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "file", err)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", attachmentDisposition(a.Name))
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// preview sends the re-encoded image of an attachment: pixels only, made
// by internal/media, never a byte of the original.
func (s *Server) preview(w http.ResponseWriter, r *http.Request) {
	n, ok := attachmentIndex(r)
	if !ok {
		s.fail(w, r, http.StatusNotFound, "not_found", nil)
		return
	}
	p, err := s.previewOf(r.PathValue("hub"), r.PathValue("id"), n)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "file", err)
		return
	}
	if p.err != nil {
		s.fail(w, r, http.StatusNotFound, "not_found", nil)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Content-Type", p.p.ContentType)
	h.Set("Content-Disposition", "inline")
	h.Set("Content-Length", strconv.Itoa(len(p.p.Data)))
	w.Write(p.p.Data)
}

// attachmentDisposition is a Content-Disposition: attachment with a
// stranger's file name made harmless: no path, no control, quote or bidi
// character, at most 100 characters (a non-ASCII name goes in RFC 2231
// form, which mime writes).
func attachmentDisposition(name string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": safeFileName(name)}); v != "" {
		return v
	}
	return `attachment; filename="attachment"`
}

// safeFileName keeps the last element of a name, without control
// characters, and never empty.
func safeFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	if name == "" {
		name = "attachment"
	}
	return name
}
