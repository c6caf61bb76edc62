package desk

import (
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/wire"
)

// maxFilterLen bounds each filter field of a query.
const maxFilterLen = 200

var monthRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}$`)

// filterOf reads the inbox and search filters from the query, refusing
// what no page of the desk makes.
func filterOf(q url.Values) (casebook.Filter, bool) {
	f := casebook.Filter{
		Hub: q.Get("hub"), Kind: q.Get("kind"), Category: q.Get("category"),
		Status: q.Get("status"), Month: q.Get("month"), Query: q.Get("q"),
		Assignee: q.Get("assignee"), Label: q.Get("label"),
	}
	switch q.Get("due") {
	case "":
	case "1":
		f.Due = true
	default:
		return f, false
	}
	for _, s := range []string{f.Hub, f.Kind, f.Category, f.Status, f.Month, f.Query, f.Assignee, f.Label} {
		if len(s) > maxFilterLen {
			return f, false
		}
	}
	switch f.Status {
	case "", wire.StatusNew, wire.StatusInProgress, wire.StatusClosed:
	default:
		return f, false
	}
	if f.Month != "" && !monthRE.MatchString(f.Month) {
		return f, false
	}
	if o := q.Get("offset"); o != "" {
		n, err := strconv.Atoi(o)
		if err != nil || n < 0 || n > 1_000_000 {
			return f, false
		}
		f.Offset = n
	}
	f.Limit = 50
	return f, true
}

// listing is what the inbox and search templates get.
type listing struct {
	Filter     casebook.Filter
	Page       casebook.Page
	Kinds      []string
	Categories []string
	Statuses   []string
	// Labels and Responders are what the case-work filters offer.
	Labels, Responders []string
	Prev, Next         string // links to the other pages, or ""
}

var listKinds = []string{wire.KindReport, wire.KindAlert, wire.KindCheckin}

func (s *Server) listing(q url.Values, f casebook.Filter, p casebook.Page, base string) listing {
	l := listing{Filter: f, Page: p, Kinds: listKinds,
		Statuses: []string{wire.StatusNew, wire.StatusInProgress, wire.StatusClosed}}
	l.Categories = categoryIDs()
	l.Labels, l.Responders = s.workChoices()
	q = maps.Clone(q)
	q.Del("csrf")
	if f.Offset > 0 {
		q.Set("offset", strconv.Itoa(max(0, f.Offset-f.Limit)))
		l.Prev = base + "?" + q.Encode()
	}
	if f.Offset+len(p.Items) < p.Total {
		q.Set("offset", strconv.Itoa(f.Offset+f.Limit))
		l.Next = base + "?" + q.Encode()
	}
	return l
}

func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	f, ok := filterOf(r.URL.Query())
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
		return
	}
	f.Query = ""
	p, err := s.book.Inbox(f)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "inbox", err)
		return
	}
	s.pages.render(w, http.StatusOK, s.newView(r, sessionOf(r.Context()), "inbox", s.listing(r.URL.Query(), f, p, "/")))
}

// search shows the search form and, for ?r=TOKEN, the results of the
// session's search of that token (see [session.keepSearch]).
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r.Context())
	q := r.URL.Query()
	var f casebook.Filter
	if tok := q.Get("r"); tok != "" {
		var ok bool
		if f, ok = sess.search(tok); !ok {
			http.Redirect(w, r, "/search", http.StatusSeeOther)
			return
		}
		if o := q.Get("offset"); o != "" {
			n, err := strconv.Atoi(o)
			if err != nil || n < 0 || n > 1_000_000 {
				s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
				return
			}
			f.Offset = n
		}
	}
	var p casebook.Page
	if f.Query != "" {
		var err error
		if p, err = s.book.Search(f); err != nil {
			s.fail(w, r, http.StatusInternalServerError, "search", err)
			return
		}
	}
	pager := url.Values{}
	if tok := q.Get("r"); tok != "" {
		pager.Set("r", tok)
	}
	s.pages.render(w, http.StatusOK, s.newView(r, sess, "search", s.listing(pager, f, p, "/search")))
}

// startSearch takes the search form and sends the browser to its results
// under a token: the words stay in the desk's memory.
func (s *Server) startSearch(w http.ResponseWriter, r *http.Request) {
	f, ok := filterOf(r.PostForm)
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
		return
	}
	f.Offset = 0
	tok := sessionOf(r.Context()).keepSearch(f)
	http.Redirect(w, r, "/search?r="+tok, http.StatusSeeOther)
}
