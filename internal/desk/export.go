package desk

import (
	"bytes"
	"net/http"
	"strings"

	"filippo.io/age"

	"difesa.org/difesa/internal/export"
)

// maxPassphrase bounds an export's passphrase.
const maxPassphrase = 1024

// exportCase sends a case as one tar archive (internal/export), encrypted
// with age to a recipient or a passphrase when the form asks; with
// to=folder it writes the export into the desk's export folder instead
// (see [Server.exportToFolder]). The archive is built in memory.
func (s *Server) exportCase(w http.ResponseWriter, r *http.Request) {
	hub, id := r.PathValue("hub"), r.PathValue("id")
	var o export.Options
	switch r.PostFormValue("protect") {
	case "none":
	case "recipient":
		rs, err := age.ParseRecipients(strings.NewReader(strings.TrimSpace(r.PostFormValue("recipient"))))
		if err != nil || len(rs) == 0 || len(rs) > 20 {
			s.fail(w, r, http.StatusBadRequest, "bad_recipient", nil)
			return
		}
		o.Recipients = rs
	case "passphrase":
		p := r.PostFormValue("passphrase")
		if p == "" || len(p) > maxPassphrase {
			s.fail(w, r, http.StatusBadRequest, "bad_passphrase", nil)
			return
		}
		o.Passphrase = p
	default:
		s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
		return
	}
	to := r.PostFormValue("to")
	if to != "" && to != "download" && (to != "folder" || s.exportDir == "") {
		s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
		return
	}
	c, err := s.book.ExportCase(hub, id)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "export", err)
		return
	}
	if to == "folder" {
		s.exportToFolder(w, r, c, o)
		return
	}
	var buf bytes.Buffer
	if err := export.Write(&buf, c, o); err != nil {
		s.fail(w, r, http.StatusInternalServerError, "export", err)
		return
	}
	name := "case-" + safeFileName(id) + ".tar"
	if len(o.Recipients) > 0 || o.Passphrase != "" {
		name += ".age"
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", attachmentDisposition(name))
	w.Write(buf.Bytes())
}
