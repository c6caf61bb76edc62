package desk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"difesa.org/difesa/internal/desk/casebook"
)

// Options configure [New].
type Options struct {
	// Book is the desk's local copy of its hubs' cases; the caller runs
	// and closes it.
	Book *casebook.Book
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// ExportDir is the folder into which the case page's "write a
	// folder" writes exports (created, mode 0700, on first use); "" offers
	// downloads only.
	ExportDir string
	// Logf receives the desk's errors; never content, never a time of
	// the responder's activity. Discarded if nil.
	Logf func(format string, args ...any)
}

// Server is a running desk.
type Server struct {
	book   *casebook.Book
	now    func() time.Time
	logf   func(string, ...any)
	access *access
	pages  *pages
	thumbs *previews
	// exportDir is [Options.ExportDir], absolute.
	exportDir string

	ln     net.Listener
	host   string // 127.0.0.1:PORT
	secret string
	srv    *http.Server
}

// New returns a desk listening on 127.0.0.1 on a random port. Its address,
// with the one-time secret, is [Server.Address]; it serves once
// [Server.Serve] is called.
func New(o Options) (*Server, error) {
	if o.Book == nil {
		return nil, errors.New("desk: no casebook to serve")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("desk: unable to listen on loopback: %w", err)
	}
	a, secret := newAccess()
	s := &Server{
		book:   o.Book,
		now:    o.Now,
		logf:   o.Logf,
		access: a,
		pages:  newPages(),
		thumbs: newPreviews(),
		ln:     ln,
		host:   "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port),
		secret: secret,
	}
	if o.ExportDir != "" {
		if s.exportDir, err = filepath.Abs(o.ExportDir); err != nil {
			ln.Close()
			return nil, fmt.Errorf("desk: unable to find the export folder: %w", err)
		}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logf == nil {
		s.logf = func(string, ...any) {}
	}
	s.srv = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      10 * time.Minute, // large downloads; the event stream extends its own
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		// net/http's own messages name the client's address: dropped.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	return s, nil
}

// Address is the address to open, carrying the one-time secret:
// http://127.0.0.1:PORT/open?k=SECRET. It works once.
func (s *Server) Address() string {
	return "http://" + s.host + "/open?" + secretParam + "=" + s.secret
}

// Opened is closed once a browser has opened the desk with the secret.
func (s *Server) Opened() <-chan struct{} { return s.access.opened }

// Origin is the desk's origin, http://127.0.0.1:PORT.
func (s *Server) Origin() string { return "http://" + s.host }

// Serve serves the desk until ctx ends.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("desk: unable to serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		s.srv.Close() // the event streams do not end by themselves
	}
	return nil
}
