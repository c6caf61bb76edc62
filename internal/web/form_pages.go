package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"difesa.org/difesa/internal/form"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

// A hub's own forms. Without JavaScript the page shows the questions of
// the signed form the server stores, and offers the offline route, a
// plain-text template to fill in, encrypt with age (1.3 or newer) and upload
// (docs/forms.md); it cannot check the signature for the visitor, and says
// so, and how to check it (difesa forms). With JavaScript, form.js checks
// the signed form the page carries (#formdata) against the pinned admin
// key, renders it from the verified bytes and sends the answers encrypted.

// formQuestion is one question as the page shows it.
type formQuestion struct {
	ID, Label, Help, Type, Condition string
	Required                         bool
	Choices                          []string
}

// formView is what form.html gets besides the view.
type formView struct {
	ID, Title, Help, Hash, Template string
	Version                         uint64
	Questions                       []formQuestion
	// Data is handed to form.js: the form id and the signed form as the
	// API serves it, which the script verifies itself.
	Data map[string]string
}

// loadForm fetches the hub's latest signed form id from the API in
// process and checks it against the hub's admin key, as any client does.
func (p *Pages) loadForm(w http.ResponseWriter, r *http.Request, h *hub.Hub, id string) (*form.Form, *wire.SignedForm, bool) {
	if !formIDShape(id) {
		return nil, nil, false
	}
	// The signed form whole: a form of 256 KiB travels as some 350 KB.
	a, err := p.callAPIUpTo(w, r, form.MaxSignedSize+1024, http.MethodGet, "/api/v1/hubs/"+h.ID+"/forms/"+url.PathEscape(id), "", nil)
	if err != nil || a.status != http.StatusOK {
		return nil, nil, false
	}
	var s wire.SignedForm
	if json.Unmarshal(a.body.Bytes(), &s) != nil {
		return nil, nil, false
	}
	pub, err := manifest.ParsePublicKey(h.AdminKey)
	if err != nil {
		return nil, nil, false
	}
	f, err := form.VerifyFor(&s, pub, h.ID, id)
	if err != nil {
		p.log.Error("a stored form does not verify", "hub", h.ID, "form", id, "code", form.Code(err))
		return nil, nil, false
	}
	return f, &s, true
}

func formIDShape(id string) bool {
	if id == "" || len(id) > 64 || id == form.DefaultID {
		return false
	}
	return strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789_-") == ""
}

// handleFormPage shows a form's questions and the offline route.
func (p *Pages) handleFormPage(w http.ResponseWriter, r *http.Request) {
	h := p.hubOf(r)
	if h == nil {
		p.render(w, r, "notfound", http.StatusNotFound, p.newView(r, nil, "notfound"))
		return
	}
	f, s, ok := p.loadForm(w, r, h, chi.URLParam(r, "id"))
	if !ok {
		p.render(w, r, "notfound", http.StatusNotFound, p.newView(r, h, "notfound"))
		return
	}
	v := p.newView(r, h, "form")
	lang := v.Lang
	fv := &formView{ID: f.ID, Version: f.Version, Hash: form.Hash(s.Form), Title: f.In(f.Title, lang), Help: f.In(f.Help, lang),
		Template: v.Base + "/forms/" + f.ID + "/template.txt" + v.Query,
		Data:     map[string]string{"id": f.ID, "signed": string(form.MarshalSigned(s))}}
	for i := range f.Fields {
		fl := &f.Fields[i]
		q := formQuestion{ID: fl.ID, Label: f.In(fl.Label, lang), Help: f.In(fl.Help, lang), Type: T(lang, "ftype_"+fl.Type), Required: fl.Required}
		for _, c := range fl.Choices {
			q.Choices = append(q.Choices, c.ID+" = "+f.In(c.Label, lang))
		}
		if c := fl.ShowIf; c != nil {
			if on := f.Field(c.Field); on != nil {
				q.Condition = T(lang, "form_only_if", f.In(on.Label, lang), strings.Join(f.Value(on, c.Values, lang), " / "))
			}
		}
		fv.Questions = append(fv.Questions, q)
	}
	v.Form = fv
	p.render(w, r, "form", http.StatusOK, v)
}

// handleFormTemplate sends the form's plain-text template as a download.
func (p *Pages) handleFormTemplate(w http.ResponseWriter, r *http.Request) {
	h := p.hubOf(r)
	if h == nil {
		http.NotFound(w, r)
		return
	}
	f, s, ok := p.loadForm(w, r, h, chi.URLParam(r, "id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	hash := form.Hash(s.Form)
	hd := w.Header()
	hd.Set("Content-Type", "text/plain; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="`+f.ID+`.txt"`)
	w.Write(form.Template(f, hash, pickLang(r)))
}

// formLink is a form the home page offers, by title.
type formLink struct{ Title, URL string }

// handleHome is the home page, which offers the hub's own forms by
// title besides the built-in report form, each title from the signed
// form checked against the hub's admin key.
func (p *Pages) handleHome(w http.ResponseWriter, r *http.Request) {
	h := p.hubOf(r)
	if h == nil {
		p.render(w, r, "notfound", http.StatusNotFound, p.newView(r, nil, "notfound"))
		return
	}
	v := p.newView(r, h, "home")
	if a, err := p.callAPI(w, r, http.MethodGet, "/api/v1/hubs/"+h.ID+"/forms", "", nil); err == nil && a.status == http.StatusOK {
		var l wire.FormList
		if json.Unmarshal(a.body.Bytes(), &l) == nil {
			for _, fi := range l.Forms {
				if !formIDShape(fi.ID) {
					continue
				}
				// The title of the signed form itself, in the visitor's
				// language or the form's first; a form that does not
				// verify is not offered.
				f, _, ok := p.loadForm(w, r, h, fi.ID)
				if !ok {
					continue
				}
				v.Forms = append(v.Forms, formLink{Title: f.In(f.Title, v.Lang), URL: v.Base + "/forms/" + fi.ID + v.Query})
			}
		}
	}
	p.render(w, r, "home", http.StatusOK, v)
}
