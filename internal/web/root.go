package web

import (
	"net/http"
	"strings"
)

// NewRoot returns the page of the server's root, "/": what difesad is,
// in the visitor's language, and a link to each hub's pages. It carries
// the pages' headers (a strict CSP, no referrer, no framing).
func NewRoot(o Options) http.Handler {
	return newPages(o).root()
}

// WantsPage reports whether a request to the root comes from a browser,
// which asks for HTML, rather than from an API client: those (Accept:
// application/json, or nothing said) keep the JSON answer they always had.
func WantsPage(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(mt), "text/html") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func (p *Pages) root() http.Handler {
	return p.headers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := p.newView(r, nil, "root")
		v.Hubs = p.hubs.All()
		p.render(w, r, "root", http.StatusOK, v)
	}))
}
