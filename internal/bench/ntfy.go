package bench

import (
	"context"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"
)

// NtfyPost is one message an [NtfyReceiver] got.
type NtfyPost struct {
	Topic, Title, Priority, Tags, Click, Body string
	// At is when the request arrived, on this machine's clock.
	At time.Time
}

// NtfyReceiver is an ntfy-compatible server on 127.0.0.1: it accepts what
// https://docs.ntfy.sh/publish/ describes (POST /TOPIC, the message as
// the body, title and priority in headers) and records each message.
// ntfy messages carry no id: a repeat is a second, identical post.
type NtfyReceiver struct {
	// URL is where to point an ntfy channel's server.
	URL string

	srv *http.Server

	mu    sync.Mutex
	posts []NtfyPost
	hold  func(NtfyPost) bool
}

// NewNtfyReceiver starts a receiver.
func NewNtfyReceiver() (*NtfyReceiver, error) {
	r := &NtfyReceiver{}
	srv, base, err := serveLoopback(r)
	if err != nil {
		return nil, err
	}
	r.srv, r.URL = srv, base
	return r, nil
}

// Close stops the receiver.
func (r *NtfyReceiver) Close() error { return r.srv.Close() }

// ServeHTTP records one message and answers as ntfy does (200, JSON).
func (r *NtfyReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	at := time.Now()
	topic := strings.TrimPrefix(req.URL.Path, "/")
	if req.Method != http.MethodPost && req.Method != http.MethodPut || topic == "" || strings.Contains(topic, "/") {
		http.Error(w, "not a publish request", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, 4096))
	if err != nil {
		http.Error(w, "message too large", http.StatusRequestEntityTooLarge)
		return
	}
	title, err := new(mime.WordDecoder).DecodeHeader(req.Header.Get("Title"))
	if err != nil {
		title = req.Header.Get("Title")
	}
	p := NtfyPost{
		Topic: topic, Title: title, Priority: req.Header.Get("Priority"),
		Tags: req.Header.Get("Tags"), Click: req.Header.Get("Click"), Body: string(body), At: at,
	}
	r.mu.Lock()
	r.posts = append(r.posts, p)
	hold := r.hold != nil && r.hold(p)
	r.mu.Unlock()
	if hold {
		holdUntilGone(req)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"event":"message","topic":"`+topic+`"}`)
}

// Hold makes the receiver record, then never answer, the messages for
// which hold returns true (nil: answer all again).
func (r *NtfyReceiver) Hold(hold func(NtfyPost) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hold = hold
}

// Posts returns every message received so far, in order, repeats
// included.
func (r *NtfyReceiver) Posts() []NtfyPost {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]NtfyPost(nil), r.posts...)
}

// WaitFor polls until cond holds for the messages so far or ctx ends.
func (r *NtfyReceiver) WaitFor(ctx context.Context, cond func([]NtfyPost) bool) error {
	for {
		if cond(r.Posts()) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}
