package daemon_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/config"
)

// adminGet asks the admin listener at addr (HOST:PORT or unix:PATH) for
// path with the given Host header, as a browser tricked by DNS rebinding
// would.
func adminGet(t *testing.T, addr, host, path string) (int, string) {
	t.Helper()
	tr := &http.Transport{Proxy: nil}
	defer tr.CloseIdleConnections()
	url := "http://" + addr + path
	if p, ok := strings.CutPrefix(addr, "unix:"); ok {
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", p)
		}
		url = "http://localhost" + path
	}
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAdminRefusesForeignHosts: through DNS rebinding, a web page of
// evil.example whose name now resolves to 127.0.0.1 can make a browser on
// the server (or on a laptop tunnelled to it) fetch the admin listener,
// with "Host: evil.example:9090". It must get 421 and no database byte;
// loopback literals and the configured admin_hosts get their answer.
func TestAdminRefusesForeignHosts(t *testing.T) {
	t.Parallel()
	inst := startWithAdmin(t, "127.0.0.1:0", func(c *config.Config) { c.AdminHosts = []string{"Metrics.Internal", "scrape.example:9100"} })
	_, port, _ := net.SplitHostPort(inst.AdminAddr)
	for _, path := range []string{"/backup", "/metrics"} {
		for _, host := range []string{
			"evil.example:9090", "evil.example", "127.0.0.1.evil.example", "localhost.evil.example:" + port,
			"scrape.example:9101", "[::2]:" + port, "10.0.0.1:" + port, "0.0.0.0:" + port,
		} {
			code, body := adminGet(t, inst.AdminAddr, host, path)
			if code != http.StatusMisdirectedRequest || !strings.Contains(body, "admin_hosts") || strings.Contains(body, "difesa_") || strings.Contains(body, "bolt") {
				t.Errorf("%s with Host %q: %d %.120q", path, host, code, body)
			}
		}
		for _, host := range []string{
			"127.0.0.1:" + port, "127.0.0.1", "localhost:" + port, "LOCALHOST:19090", "[::1]:" + port, "[::1]",
			"metrics.internal:" + port, "scrape.example:9100",
		} {
			if code, body := adminGet(t, inst.AdminAddr, host, path); code != http.StatusOK {
				t.Errorf("%s with Host %q: %d %.200s", path, host, code, body)
			}
		}
	}
}

// TestAdminSocketHosts: on the unix socket, an empty Host (HTTP/1.0) or a
// loopback one is answered, another name is not.
func TestAdminSocketHosts(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "difesa") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "admin.sock")
	inst := startWithAdmin(t, "unix:"+sock)
	if code, body := adminGet(t, inst.AdminAddr, "evil.example:9090", "/backup"); code != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host on the socket: %d %.120q", code, body)
	}
	if code, _ := adminGet(t, inst.AdminAddr, "localhost", "/metrics"); code != http.StatusOK {
		t.Errorf("localhost on the socket: %d", code)
	}
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "GET /metrics HTTP/1.0\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("no Host on the socket: %d", resp.StatusCode)
	}
}
