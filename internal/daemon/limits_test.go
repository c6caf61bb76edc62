package daemon_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
)

// TestTrickledHeadersAreCut sends a request's headers a line at a time,
// never finishing them: difesad's ReadHeaderTimeout (10 s) must close the
// connection, whatever keeps arriving.
func TestTrickledHeadersAreCut(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the 10 s header timeout")
	}
	t.Parallel()
	srv := testserver.New(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	closed := make(chan time.Duration, 1)
	go func() {
		io.Copy(io.Discard, conn) // returns when the server closes
		closed <- time.Since(start)
	}()
	conn.Write([]byte("POST /api/v1/hubs/demo/submissions HTTP/1.1\r\nHost: difesa\r\n"))
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case took := <-closed:
			if took < 9*time.Second || took > 11*time.Second {
				t.Fatalf("connection closed after %v, want after the 10 s header timeout", took)
			}
			t.Logf("cut after %v", took.Round(10*time.Millisecond))
			return
		case <-tick.C:
			conn.Write([]byte("X-Slow: " + strings.Repeat("a", i%10) + "\r\n"))
		case <-time.After(15 * time.Second):
			t.Fatal("the trickled headers were not cut within 15 s")
		}
	}
}

// TestMaxConnections holds the only connections the server serves, busy
// with uploads in progress, and checks that another request waits for one
// to close, rather than being refused or served beyond the cap. Busy
// connections, unlike idle ones, are never closed to make room.
func TestMaxConnections(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	cfg.MaxConnections, cfg.MaxConcurrentUploads = 2, 2
	srv := testserver.NewWithConfig(t, cfg)
	addr := strings.TrimPrefix(srv.URL, "http://")
	var held []net.Conn
	for range 2 {
		held = append(held, busyUpload(t, addr))
	}

	client := &http.Client{Timeout: 500 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(srv.URL + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatalf("served a third connection (%d) with a cap of 2", resp.StatusCode)
	}
	held[0].Close()
	client.Timeout = 5 * time.Second
	resp, err := client.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatalf("no answer once a connection closed: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
}

// busyUpload opens a connection and starts an upload on it that asks for
// 100-continue: once the server says to continue, the connection is
// accepted and its handler is reading the body, which never comes.
func busyUpload(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "POST /api/v1/hubs/demo/submissions HTTP/1.1\r\nHost: difesa\r\n"+
		"Content-Type: application/vnd.age\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n")
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
		t.Fatalf("upload not started: %q %v", line, err)
	}
	c.SetDeadline(time.Time{})
	return c
}
