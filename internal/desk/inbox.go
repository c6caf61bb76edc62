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
	}
	for _, s := range []string{f.Hub, f.Kind, f.Category, f.Status, f.Month, f.Query} {
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
	Prev, Next string // links to the other pages, or ""
	// Offsets are the search's other pages, as forms (a search's words
	// never go in an address, which the browser's history would keep).
	Offsets []pageOffset
}

type pageOffset struct {
	Label  string
	Offset int
}

var listKinds = []string{wire.KindReport, wire.KindAlert, wire.KindCheckin}

func (s *Server) listing(q url.Values, f casebook.Filter, p casebook.Page, base string) listing {
	l := listing{Filter: f, Page: p, Kinds: listKinds,
		Statuses: []string{wire.StatusNew, wire.StatusInProgress, wire.StatusClosed}}
	l.Categories = categoryIDs()
	q = maps.Clone(q)
	q.Del("csrf")
	if f.Offset > 0 {
		q.Set("offset", strconv.Itoa(max(0, f.Offset-f.Limit)))
		l.Prev = base + "?" + q.Encode()
		l.Offsets = append(l.Offsets, pageOffset{"page_prev", max(0, f.Offset-f.Limit)})
	}
	if f.Offset+len(p.Items) < p.Total {
		q.Set("offset", strconv.Itoa(f.Offset+f.Limit))
		l.Next = base + "?" + q.Encode()
		l.Offsets = append(l.Offsets, pageOffset{"page_next", f.Offset + f.Limit})
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

// search shows the search form (GET) and its results (POST): the words
// searched for never go in an address, which the browser's history keeps
// on disk.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.PostForm
	if r.Method != http.MethodPost {
		q = url.Values{}
	}
	f, ok := filterOf(q)
	if !ok {
		s.fail(w, r, http.StatusBadRequest, "bad_request", nil)
		return
	}
	var p casebook.Page
	if f.Query != "" {
		var err error
		if p, err = s.book.Search(f); err != nil {
			s.fail(w, r, http.StatusInternalServerError, "search", err)
			return
		}
	}
	s.pages.render(w, http.StatusOK, s.newView(r, sessionOf(r.Context()), "search", s.listing(q, f, p, "/search")))
}
