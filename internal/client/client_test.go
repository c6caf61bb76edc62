package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"difesa.org/difesa/internal/wire"
)

func TestErrorDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		body     string
		wantCode string
		wantMsg  string
	}{
		{"api error", 413, `{"error":{"code":"too_large","message":"the submission is larger than this hub accepts (10 bytes)"}}`,
			wire.CodeTooLarge, "the submission is larger than this hub accepts (10 bytes)"},
		{"recipient mismatch", 422, `{"error":{"code":"recipient_mismatch","message":"no"}}`, wire.CodeRecipientMismatch, "no"},
		{"proxy page", 502, `<html>Bad Gateway</html>`, wire.CodeInternal, "bad gateway"},
		{"empty 404", 404, ``, wire.CodeNotFound, "not found"},
		{"empty 429", 429, ``, wire.CodeTooManyRequests, "too many requests"},
		{"json without code", 400, `{"error":{}}`, wire.CodeBadRequest, "bad request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c, err := New(srv.URL+"/hubs/demo", Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Hub(context.Background())
			var we *wire.Error
			if !errors.As(err, &we) {
				t.Fatalf("error %v (%T) is not a *wire.Error", err, err)
			}
			if we.Code != tt.wantCode || we.Message != tt.wantMsg || we.Status != tt.status {
				t.Errorf("got %+v, want code %q message %q status %d", we, tt.wantCode, tt.wantMsg, tt.status)
			}
			if !errors.Is(err, &wire.Error{Code: tt.wantCode}) {
				t.Errorf("errors.Is(err, code %q) = false", tt.wantCode)
			}
		})
	}
}

func TestRequestHygiene(t *testing.T) {
	t.Parallel()
	var got []*http.Request
	var bodies [][]byte
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request reached another host: %s", r.URL)
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r)
		bodies = append(bodies, b)
		switch r.URL.Path {
		case "/hubs/demo/recipients.txt":
			http.SetCookie(w, &http.Cookie{Name: "track", Value: "me"})
			http.Redirect(w, r, "/hubs/demo/moved.txt", http.StatusFound)
		case "/hubs/demo/moved.txt":
			io.WriteString(w, "# demo\n")
		case "/api/v1/hubs/demo":
			http.Redirect(w, r, other.URL+"/api/v1/hubs/demo", http.StatusFound)
		case "/api/v1/hubs/demo/submissions":
			w.WriteHeader(201)
			io.WriteString(w, `{"id":"abc","hub":"demo","kind":"report","size":5}`)
		}
	}))
	defer srv.Close()
	c, err := New(srv.URL+"/hubs/demo", Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	if _, err := c.Recipients(ctx); !errors.Is(err, ErrNoRecipients) {
		t.Errorf("Recipients of a comment-only file: %v, want ErrNoRecipients", err)
	}
	if _, err := c.Hub(ctx); err == nil || !strings.Contains(err.Error(), "another host") {
		t.Errorf("redirect to another host: %v", err)
	}
	created, err := c.Submit(ctx, "report", io.MultiReader(strings.NewReader("he"), strings.NewReader("llo")))
	if err != nil {
		t.Fatal(err)
	}
	if created.ID != "abc" {
		t.Errorf("created = %+v", created)
	}

	for i, r := range got {
		if ua := r.Header.Get("User-Agent"); ua != "difesa" {
			t.Errorf("%s: User-Agent %q", r.URL, ua)
		}
		for _, h := range []string{"Referer", "Cookie", "Accept-Encoding", "Authorization"} {
			if v := r.Header.Get(h); v != "" {
				t.Errorf("%s: %s: %q", r.URL, h, v)
			}
		}
		if r.Method == "POST" {
			if r.ContentLength != -1 || len(r.TransferEncoding) == 0 || r.TransferEncoding[0] != "chunked" {
				t.Errorf("upload not chunked: length %d, encoding %q", r.ContentLength, r.TransferEncoding)
			}
			if ct := r.Header.Get("Content-Type"); ct != wire.MediaTypeAge {
				t.Errorf("upload Content-Type %q", ct)
			}
			if r.URL.RawQuery != "kind=report" {
				t.Errorf("upload query %q", r.URL.RawQuery)
			}
			if !bytes.Equal(bodies[i], []byte("hello")) {
				t.Errorf("upload body %q", bodies[i])
			}
		}
	}
}

func TestSubmitBodyError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(400)
	}))
	defer srv.Close()
	c, _ := New(srv.URL+"/hubs/demo", Options{})
	boom := errors.New("disk on fire")
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("some bytes"))
		pw.CloseWithError(boom)
	}()
	if _, err := c.Submit(context.Background(), "", pr); !errors.Is(err, boom) {
		t.Errorf("Submit = %v, want the body's error", err)
	}
}

func TestResponderMethodsNeedLogin(t *testing.T) {
	t.Parallel()
	c, _ := New("http://127.0.0.1:1/hubs/demo", Options{})
	ctx := context.Background()
	if _, err := c.List(ctx); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("List: %v", err)
	}
	if _, err := c.Download(ctx, "x", io.Discard); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("Download: %v", err)
	}
	if err := c.SetStatus(ctx, "x", "new"); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("SetStatus: %v", err)
	}
	if err := c.Delete(ctx, "x"); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("Delete: %v", err)
	}
}

func TestProxyOption(t *testing.T) {
	tests := []struct {
		proxy, env string
		wantErr    bool
		want       string
	}{
		{proxy: "socks5h://127.0.0.1:9050", want: "socks5h://127.0.0.1:9050"},
		{proxy: "socks5://127.0.0.1:9050", want: "socks5://127.0.0.1:9050"},
		{env: "socks5h://127.0.0.1:9150", want: "socks5h://127.0.0.1:9150"},
		{proxy: "socks5h://127.0.0.1:1", env: "socks5h://127.0.0.1:2", want: "socks5h://127.0.0.1:1"},
		{proxy: "127.0.0.1:9050", wantErr: true},
		{proxy: "ftp://127.0.0.1:9050", wantErr: true},
		{env: "garbage", wantErr: true},
		{},
	}
	for _, tt := range tests {
		t.Setenv("ALL_PROXY", tt.env)
		t.Setenv("all_proxy", "")
		u, err := proxyURL(tt.proxy)
		if tt.wantErr {
			if !errors.Is(err, ErrBadProxy) {
				t.Errorf("proxyURL(%q) with ALL_PROXY=%q: %v, want ErrBadProxy", tt.proxy, tt.env, err)
			}
			continue
		}
		got := ""
		if u != nil {
			got = u.String()
		}
		if err != nil || got != tt.want {
			t.Errorf("proxyURL(%q) with ALL_PROXY=%q = %q, %v; want %q", tt.proxy, tt.env, got, err, tt.want)
		}
	}
}
