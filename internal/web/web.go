package web

import (
	"bytes"
	"context"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"difesa.org/difesa/internal/cap"
	"difesa.org/difesa/internal/hub"
)

// Options configures [New].
type Options struct {
	// Hubs is the registry of hubs the pages serve.
	Hubs *hub.Registry
	// API is the server's API handler. The no-JavaScript forms hand their
	// ciphertext and codes to it in process, so that an upload through a
	// form gets exactly the checks of an upload through the API.
	API http.Handler
	// OnionAddress, if set (e.g. "http://abc….onion"), is announced with
	// an Onion-Location header, so that Tor Browser offers the onion
	// service to visitors of the clear-web address.
	OnionAddress string
	// Logger receives errors; never addresses or request data.
	Logger *slog.Logger
}

// Pages serves the pages of every hub under /hubs/{hub}/.
type Pages struct {
	hubs  *hub.Registry
	api   http.Handler
	onion string
	log   *slog.Logger
	pages map[string]*template.Template
	// bulletins remembers checked bulletins, which the news page shows
	// again and again.
	bulletins *cap.Cache
}

// New returns the handler of the pages, to be mounted at /hubs/{hub}/ (the
// {hub} URL parameter names the hub).
func New(o Options) http.Handler {
	return newPages(o).routes()
}

func newPages(o Options) *Pages {
	p := &Pages{hubs: o.Hubs, api: o.API, onion: strings.TrimRight(o.OnionAddress, "/"), log: o.Logger, pages: parseTemplates(), bulletins: cap.NewCache(512)}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.hubs == nil {
		p.hubs = hub.NewRegistry()
	}
	return p
}

// routes is the one table of the pages' routes.
func (p *Pages) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(p.headers)
	r.NotFound(p.page("notfound", http.StatusNotFound))
	r.MethodNotAllowed(p.page("notfound", http.StatusMethodNotAllowed))
	r.Get("/", p.handleHome)
	r.Get("/report", p.page("report", http.StatusOK))
	r.Get("/alert", p.page("alert", http.StatusOK))
	r.Get("/replies", p.page("replies", http.StatusOK))
	r.Get("/verify", p.page("verify", http.StatusOK))
	r.Get("/checkin", p.page("checkin", http.StatusOK))
	r.Get("/checkin/start", p.page("checkin_start", http.StatusOK))
	r.Get("/checkin/stop", p.page("checkin_stop", http.StatusOK))
	r.Get("/upload", p.page("upload", http.StatusOK))
	r.Get("/news", p.handleNews)
	r.Get("/forms/{id}", p.handleFormPage)
	r.Get("/forms/{id}/template.txt", p.handleFormTemplate)
	r.Get("/assets/{name}", serveAsset)

	// The forms that work without JavaScript. They carry only ciphertext
	// or codes; cross-origin posts are refused all the same.
	cop := http.NewCrossOriginProtection()
	r.With(cop.Handler).Post("/checkin", p.handleCheckin)
	r.With(cop.Handler).Post("/checkin/stop", p.handleStopCheckin)
	r.With(cop.Handler).Post("/upload", p.handleUpload)
	return r
}

// headers applies to every page and asset: a strict CSP (no inline script
// or style, nothing from other origins), no referrer, no framing, and the
// Onion-Location header when configured.
func (p *Pages) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "+
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		h.Set("Cache-Control", "no-store")
		if p.onion != "" && !strings.HasSuffix(hostOnly(r.Host), ".onion") {
			h.Set("Onion-Location", p.onion+r.URL.RequestURI())
		}
		next.ServeHTTP(w, r)
	})
}

func hostOnly(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		return host[:i]
	}
	return host
}

// hubOf returns the hub named in the URL, or nil.
func (p *Pages) hubOf(r *http.Request) *hub.Hub {
	return p.hubs.Get(chi.URLParam(r, "hub"))
}

// writeHTML sends a rendered page, gzip-compressed when the client accepts
// it. Pages hold no secret (the codename never reaches the server), so
// compression leaks nothing.
func writeHTML(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Add("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		body = gzipBytes(body)
		h.Set("Content-Encoding", "gzip")
	}
	w.WriteHeader(status)
	w.Write(body)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// apiAnswer is what the API said to an in-process request.
type apiAnswer struct {
	status int
	header http.Header
	body   bytes.Buffer
	limit  int // the most of body kept
}

// answerWriter records the API's answer. Unwrap gives the API's
// http.ResponseController the real connection, so that its upload
// deadlines apply to the form's request.
type answerWriter struct {
	w      http.ResponseWriter
	header http.Header
	a      *apiAnswer
}

func (c *answerWriter) Header() http.Header { return c.header }
func (c *answerWriter) WriteHeader(status int) {
	if c.a.status == 0 {
		c.a.status = status
	}
}
func (c *answerWriter) Write(p []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	if c.a.body.Len() < c.a.limit {
		c.a.body.Write(p[:min(len(p), c.a.limit-c.a.body.Len())])
	}
	return len(p), nil
}
func (c *answerWriter) Unwrap() http.ResponseWriter { return c.w }

// callAPI sends a request to the API in process and returns its answer,
// of which it keeps at most 64 KiB.
func (p *Pages) callAPI(w http.ResponseWriter, r *http.Request, method, target, contentType string, body io.Reader) (*apiAnswer, error) {
	return p.callAPIUpTo(w, r, 64<<10, method, target, contentType, body)
}

// callAPIUpTo is callAPI keeping at most limit bytes of the answer.
func (p *Pages) callAPIUpTo(w http.ResponseWriter, r *http.Request, limit int, method, target, contentType string, body io.Reader) (*apiAnswer, error) {
	// A fresh routing context: the API routes the request from the start.
	ctx := context.WithValue(r.Context(), chi.RouteCtxKey, (*chi.Context)(nil))
	ctx = context.WithValue(ctx, formKey{}, true) // see FromForm
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = -1
	req.Header.Set("Content-Type", contentType)
	req.Host = r.Host
	a := &apiAnswer{header: http.Header{}, limit: limit}
	p.api.ServeHTTP(&answerWriter{w: w, header: a.header, a: a}, req)
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a, nil
}
