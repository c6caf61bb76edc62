package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"difesa.org/difesa/internal/ageformat"
	"difesa.org/difesa/internal/wire"
)

// multipartSlack is what a form's other fields and boundaries may add to
// the file's own size limit.
const multipartSlack = 64 << 10

// handleUpload takes an age file uploaded with a plain HTML form (no
// JavaScript), streams the file part into the API's own upload path, which
// checks it exactly as any upload, and answers with a page. The part is
// never buffered whole.
func (p *Pages) handleUpload(w http.ResponseWriter, r *http.Request) {
	h := p.hubOf(r)
	if h == nil {
		p.result(w, r, nil, http.StatusNotFound, false, T(pickLang(r), "err_title"), T(pickLang(r), "not_found"))
		return
	}
	lang := pickLang(r)
	fail := func(status int, key string) {
		p.result(w, r, h, status, false, T(lang, "err_title"), T(lang, key))
	}
	// The API bounds the file itself; this bounds the whole request.
	limit := h.MaxSubmissionSize + h.MaxSubmissionSize/2 + ageformat.MaxHeaderSize + multipartSlack
	if r.ContentLength > limit {
		fail(http.StatusRequestEntityTooLarge, "err_too_large")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		fail(http.StatusBadRequest, "err_no_file")
		return
	}
	kind := wire.KindReport
	for {
		part, err := mr.NextPart()
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				fail(http.StatusRequestEntityTooLarge, "err_too_large")
				return
			}
			fail(http.StatusBadRequest, "err_no_file")
			return
		}
		switch part.FormName() {
		case "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 16))
			if string(b) == wire.KindAlert {
				kind = wire.KindAlert
			}
		case "file":
			if part.FileName() == "" {
				fail(http.StatusBadRequest, "err_no_file")
				return
			}
			p.forwardUpload(w, r, h.ID, kind, part)
			return
		}
		part.Close()
	}
}

func (p *Pages) forwardUpload(w http.ResponseWriter, r *http.Request, hubID, kind string, body io.Reader) {
	h := p.hubOf(r)
	lang := pickLang(r)
	a, err := p.callAPI(w, r, http.MethodPost, "/api/v1/hubs/"+hubID+"/submissions?"+url.Values{"kind": {kind}}.Encode(), wire.MediaTypeAge, body)
	if err != nil {
		p.log.Error("forwarding an upload", "err", err)
		p.result(w, r, h, http.StatusInternalServerError, false, T(lang, "err_title"), T(lang, "err_generic"))
		return
	}
	if a.status == http.StatusCreated {
		var c wire.SubmissionCreated
		json.Unmarshal(a.body.Bytes(), &c)
		p.result(w, r, h, http.StatusCreated, true, T(lang, "upload_title"), T(lang, "upload_done", c.ID))
		return
	}
	p.result(w, r, h, a.status, false, T(lang, "err_title"), uploadRefusal(w, lang, a))
}

// errorKey maps an API error answer to a message.
func errorKey(a *apiAnswer) string {
	var e wire.ErrorBody
	code := ""
	if json.Unmarshal(a.body.Bytes(), &e) == nil && e.Error != nil {
		code = e.Error.Code
	}
	switch {
	case code == wire.CodeBadAgeHeader || code == "bad_armor" || code == "bad_payload" || code == "unsupported_media":
		return "err_not_age"
	case code == "recipient_mismatch" || code == "stale_epoch" || code == "unknown_epoch":
		return "err_recipients"
	case a.status == http.StatusRequestEntityTooLarge:
		return "err_too_large"
	case a.status == http.StatusTooManyRequests || a.status == http.StatusServiceUnavailable:
		return "err_busy"
	case a.status == http.StatusInsufficientStorage: // quota_exceeded, storage_full
		return "err_full"
	case code == wire.CodeNoCheckin:
		return "checkin_none"
	}
	return "err_generic"
}
