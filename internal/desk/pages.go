package desk

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are the desk's parsed templates: per language, one per page, each
// with the layout. The catalogue's function is bound at parse time.
type pages struct {
	t map[string]map[string]*template.Template // lang → page → template
}

var pageNames = []string{"inbox", "search", "case", "delete", "restrict", "local", "opened", "refused", "error", "settings"}

func newPages() *pages {
	p := &pages{t: map[string]map[string]*template.Template{}}
	for _, lang := range cat.Langs() {
		funcs := template.FuncMap{
			"t":         func(key string, args ...any) string { return T(lang, key, args...) },
			"category":  func(id string) string { return categoryName(lang, id) },
			"status":    func(s string) string { return T(lang, "status_"+s) },
			"kind":      func(s string) string { return T(lang, "kind_"+s) },
			"size":      func(n int64) string { return humanSize(lang, n) },
			"esc":       url.PathEscape,
			"pct":       percent,
			"caseURL":   caseURL,
			"field":     func(name string) string { return fieldName(lang, name) },
			"linkKind":  func(k string) string { return T(lang, "link_"+k) },
			"workField": func(f string) string { return T(lang, "work_field_"+f) },
			"join":      func(l []string) string { return strings.Join(l, ", ") },
		}
		p.t[lang] = map[string]*template.Template{}
		for _, name := range pageNames {
			p.t[lang][name] = template.Must(template.New("layout.html").Funcs(funcs).
				ParseFS(templateFS, "templates/layout.html", "templates/parts.html", "templates/casework.html", "templates/restriction.html", "templates/"+name+".html"))
		}
	}
	return p
}

// view is what every page's template gets.
type view struct {
	Lang, Dir string
	Page      string
	CSRF      string
	Langs     []langOption
	Hubs      []casebook.HubStatus
	// Done names what an action just did (a catalogue key), or "".
	Done string
	Data any
	// JS are the script's messages (the catalogue's js_ keys).
	JS map[string]string
}

type langOption struct {
	Code, Name string
	Current    bool
}

// render writes page name with data, or a plain 500 if the template fails
// (never the error, which could quote content).
func (p *pages) render(w http.ResponseWriter, status int, v *view) {
	var buf bytes.Buffer
	if err := p.t[v.Lang][v.Page].Execute(&buf, v); err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("desk: unable to show the page\n"))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// newView is the view of page for r's session.
func (s *Server) newView(r *http.Request, sess *session, page string, data any) *view {
	lang := langOf(sess, r)
	v := &view{Lang: lang, Dir: T(lang, "_dir"), Page: page, Data: data}
	if v.Dir != "rtl" {
		v.Dir = "ltr"
	}
	if sess != nil {
		v.CSRF = sess.csrf
		v.Hubs = s.book.Status()
		v.JS = jsMessages(lang)
		for _, l := range cat.Langs() {
			v.Langs = append(v.Langs, langOption{l, T(l, "_name"), l == lang})
		}
		if d := r.URL.Query().Get("done"); doneKeys[d] {
			v.Done = "done_" + d
		}
	}
	return v
}

// doneKeys are the actions whose outcome a page may announce (?done=…).
var doneKeys = map[string]bool{
	"ack": true, "reply": true, "status": true, "delete": true, "purge": true, "lang": true,
	"export_folder": true, "work": true, "settings": true, "restrict": true,
}

func categoryName(lang, id string) string {
	if id == "" {
		return ""
	}
	for _, c := range bundle.Categories {
		if c.ID == id {
			return web.T(lang, "cat_"+id)
		}
	}
	return id // unknown: shown as sent, escaped
}

func caseURL(hub, id string) string {
	return "/case/" + url.PathEscape(hub) + "/" + url.PathEscape(id)
}

func percent(done, total int) int {
	if total <= 0 {
		return 0
	}
	return min(100, done*100/total)
}

func humanSize(lang string, n int64) string {
	const unit = 1024
	if n < unit {
		return T(lang, "bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/float64(div)), ".0") + " " + string("KMGTPE"[exp]) + "B"
}

func categoryIDs() []string {
	ids := make([]string, len(bundle.Categories))
	for i, c := range bundle.Categories {
		ids[i] = c.ID
	}
	return ids
}

// jsMessages are the messages of the page's script, in lang.
func jsMessages(lang string) map[string]string {
	m := map[string]string{}
	for k := range cat.Messages(defaultLang) {
		if strings.HasPrefix(k, "js_") {
			m[k] = T(lang, k)
		}
	}
	return m
}

// reportFields are the structured fields of a report, whose names the
// desk translates (a form's questions come in their own words).
var reportFields = []string{"category", "when", "where", "who", "needs", "contact", "language"}

func fieldName(lang, name string) string {
	for _, f := range reportFields {
		if f == name {
			return T(lang, "field_"+name)
		}
	}
	return name
}
