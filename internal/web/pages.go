package web

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/hub"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the templates under templates/, each rendered inside
// layout.html.
var pageNames = []string{"home", "report", "alert", "replies", "verify", "checkin", "checkin_start", "checkin_stop", "upload", "result", "notfound", "news", "root", "form"}

func parseTemplates() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		out[name] = template.Must(template.New("layout.html").ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}

// scriptPages are the pages that encrypt in the browser: the only ones
// whose footer says that what is written there never reaches the server
// in the clear (the check-in page, for one, sends its code as it is). The
// page that starts a check-in encrypts its instructions and makes its two
// codes in the browser; checking in and stopping need no script.
// A hub form's page encrypts its answers as the report page does.
var scriptPages = map[string]bool{"report": true, "alert": true, "replies": true, "checkin_start": true, "form": true}

// view is what every template gets.
type view struct {
	Page   string
	Lang   string
	Dir    string
	Hub    *hub.Hub
	Base   string // the hub's pages, e.g. /hubs/demo
	Query  string // "?lang=xx", appended to every link
	Langs  []langLink
	HubURL string // the hub's address as the visitor reached it
	APIURL string
	AppJS  string
	// FormJS is the form runtime, loaded after AppJS on form pages only.
	FormJS   string
	StyleCSS string
	// HubData is handed to the script: the admin key, the epoch and the
	// signed manifest, so that a page needs no extra request for them
	// (hubData).
	HubData map[string]any
	JS      map[string]string
	// Result pages: a title, a message, and whether it is good news.
	Title, Message string
	OK             bool
	Categories     []category
	// EncryptsHere is true on the pages that encrypt what the visitor
	// writes before it leaves the browser.
	EncryptsHere bool
	// Form is the hub form a form page shows.
	Form *formView
	// Forms are the hub's own forms the home page offers.
	Forms []formLink
	// Hubs are the hubs the server's root page leads to.
	Hubs []*hub.Hub
}

type langLink struct {
	Code, Name, URL string
	Current         bool
}

type category struct{ ID, Title string }

// T translates key into the page's language.
func (v *view) T(key string, args ...any) string { return T(v.Lang, key, args...) }

// Link returns the address of one of the hub's pages in the page's language.
func (v *view) Link(page string) string {
	if page != "" {
		page = "/" + page
	}
	return v.Base + page + v.Query
}

func (p *Pages) newView(r *http.Request, h *hub.Hub, page string) *view {
	lang := pickLang(r)
	v := &view{Page: page, Lang: lang, Dir: T(lang, "_dir"), Hub: h, Query: "?lang=" + lang, EncryptsHere: scriptPages[page]}
	if v.Dir != "rtl" {
		v.Dir = "ltr"
	}
	for _, code := range cat.Langs() {
		q := r.URL.Query()
		q.Set("lang", code)
		v.Langs = append(v.Langs, langLink{Code: code, Name: T(code, "_name"), URL: r.URL.Path + "?" + q.Encode(), Current: code == lang})
	}
	if h == nil {
		// The server's root and "not found" pages: styled as the hubs'.
		if all := p.hubs.All(); len(all) > 0 {
			v.StyleCSS = assetURL(all[0].ID, "style.css")
		}
		return v
	}
	v.Base = "/hubs/" + h.ID
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	origin := scheme + "://" + r.Host
	v.HubURL, v.APIURL = origin+v.Base, origin+"/api/v1/hubs/"+h.ID
	v.StyleCSS = assetURL(h.ID, "style.css")
	if scriptPages[page] {
		// Only the pages that encrypt load the script; the others work
		// the same with or without it, and stay light.
		v.AppJS = assetURL(h.ID, "app.js")
		v.HubData = hubData(h)
		v.JS = jsMessages(lang, page)
	}
	if page == "form" {
		v.FormJS = assetURL(h.ID, "form.js")
	}
	for _, c := range bundle.Categories {
		v.Categories = append(v.Categories, category{c.ID, T(lang, "cat_"+c.ID)})
	}
	return v
}

// page returns the handler of a page that needs nothing but its hub. The
// handler is shared by every request: it never writes what it captured.
func (p *Pages) page(name string, status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		page, code := name, status
		h := p.hubOf(r)
		if h == nil {
			page, code = "notfound", http.StatusNotFound
		}
		p.render(w, r, page, code, p.newView(r, h, page))
	}
}

func (p *Pages) render(w http.ResponseWriter, r *http.Request, name string, status int, v *view) {
	var buf bytes.Buffer
	if err := p.pages[name].Execute(&buf, v); err != nil {
		p.log.Error("rendering a page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeHTML(w, r, status, buf.Bytes())
}

// result renders the HTML answer of a no-JavaScript form.
func (p *Pages) result(w http.ResponseWriter, r *http.Request, h *hub.Hub, status int, ok bool, title, message string) {
	v := p.newView(r, h, "result")
	v.OK, v.Title, v.Message = ok, title, message
	p.render(w, r, "result", status, v)
}
