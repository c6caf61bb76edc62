package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"difesa.org/difesa/internal/wire"
)

// The check-in forms work without JavaScript: a code reveals no report
// content, so it goes to the server as it is, and the pages hand it to the
// API's own endpoints in process. Starting a check-in is the one step that
// needs the script (checkin_start.html): its instructions are encrypted
// and its two codes made in the browser, like a report and its codename.
//
// The duress guarantee: the API gives a duress code exactly the answer of
// the check-in code (status, headers, body), and these handlers build the
// page from that answer alone, so the page is the same byte for byte.

// maxCheckinForm bounds a check-in form: one code field.
const maxCheckinForm = 8 << 10

// handleCheckin takes a check-in code from a plain HTML form, hands it to
// the API's POST …/checkin, and answers with a page that shows the next
// deadline.
func (p *Pages) handleCheckin(w http.ResponseWriter, r *http.Request) {
	h := p.hubOf(r)
	lang := pickLang(r)
	a, ok := p.forwardCode(w, r, "checkin")
	if !ok {
		return
	}
	var d wire.CheckinDone
	json.Unmarshal(a.body.Bytes(), &d)
	next := d.NextDeadline
	if len(next) >= 16 {
		next = strings.Replace(next[:16], "T", " ", 1) + " UTC"
	}
	p.result(w, r, h, http.StatusOK, true, T(lang, "checkin_title"), T(lang, "checkin_done", next))
}

// handleStopCheckin takes a check-in code from a plain HTML form and hands
// it to the API's POST …/checkin/stop. With the duress code the API keeps
// the timer and alerts the responders, and answers the same: so does the
// page.
func (p *Pages) handleStopCheckin(w http.ResponseWriter, r *http.Request) {
	lang := pickLang(r)
	if _, ok := p.forwardCode(w, r, "checkin/stop"); !ok {
		return
	}
	p.result(w, r, p.hubOf(r), http.StatusOK, true, T(lang, "title_checkin_stop"), T(lang, "checkin_stopped"))
}

// forwardCode reads the form's code and posts it to the API's endpoint
// (under the hub's API path). It returns the API's answer when it was a
// success; otherwise it has answered with a page and returns false.
func (p *Pages) forwardCode(w http.ResponseWriter, r *http.Request, endpoint string) (*apiAnswer, bool) {
	h := p.hubOf(r)
	lang := pickLang(r)
	if h == nil {
		p.result(w, r, nil, http.StatusNotFound, false, T(lang, "err_title"), T(lang, "not_found"))
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCheckinForm)
	if err := r.ParseForm(); err != nil {
		p.result(w, r, h, http.StatusBadRequest, false, T(lang, "err_title"), T(lang, "checkin_none"))
		return nil, false
	}
	form := url.Values{"code": {r.PostForm.Get("code")}}.Encode()
	a, err := p.callAPI(w, r, http.MethodPost, "/api/v1/hubs/"+h.ID+"/"+endpoint, "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil || a.status >= 500 {
		p.result(w, r, h, http.StatusInternalServerError, false, T(lang, "err_title"), T(lang, "err_generic"))
		return nil, false
	}
	if a.status >= 300 {
		p.result(w, r, h, a.status, false, T(lang, "checkin_title"), T(lang, errorKey(a)))
		return nil, false
	}
	return a, true
}
