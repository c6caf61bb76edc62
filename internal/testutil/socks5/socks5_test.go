package socks5

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"difesa.org/difesa/internal/testutil/tool"
)

func TestHTTPThroughProxyWithName(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello "+r.Host)
	}))
	defer backend.Close()
	_, port, _ := net.SplitHostPort(backend.Listener.Addr().String())

	s := New(t)
	s.Alias("abcdefghijklmnop.onion", "127.0.0.1")
	proxy, _ := url.Parse(s.URL())
	c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
	resp, err := c.Get("http://abcdefghijklmnop.onion:" + port + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := "hello abcdefghijklmnop.onion:" + port; string(body) != want {
		t.Errorf("body = %q, want %q", body, want)
	}
	if s.Connections() != 1 {
		t.Errorf("Connections() = %d, want 1", s.Connections())
	}
	if !slices.Equal(s.Hosts(), []string{"abcdefghijklmnop.onion"}) {
		t.Errorf("Hosts() = %q", s.Hosts())
	}
}

// connect speaks SOCKS5 by hand and returns the reply code.
func connect(t *testing.T, s *Server, atyp byte, addr []byte, port int) (net.Conn, byte) {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.Write([]byte{5, 1, 0})
	var m [2]byte
	if _, err := io.ReadFull(c, m[:]); err != nil || m != [2]byte{5, 0} {
		t.Fatalf("method reply %v, %v", m, err)
	}
	req := []byte{5, 1, 0, atyp}
	req = append(req, addr...)
	req = binary.BigEndian.AppendUint16(req, uint16(port))
	c.Write(req)
	var rep [4]byte
	if _, err := io.ReadFull(c, rep[:]); err != nil {
		t.Fatal(err)
	}
	n := 4
	if rep[3] == atypIPv6 {
		n = 16
	}
	io.ReadFull(c, make([]byte, n+2))
	return c, rep[1]
}

func echoServer(t *testing.T, network, addr string) int {
	ln, err := net.Listen(network, addr)
	if err != nil {
		tool.Missing(t, fmt.Sprintf("cannot listen on %s: %v", addr, err))
		return 0
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestAddressTypes(t *testing.T) {
	port4 := echoServer(t, "tcp4", "127.0.0.1:0")
	tests := []struct {
		name string
		atyp byte
		addr []byte
		port int
		host string
	}{
		{"ipv4", atypIPv4, []byte{127, 0, 0, 1}, port4, "127.0.0.1"},
		{"domain", atypDomain, append([]byte{9}, "localhost"...), port4, "localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(t)
			s.Alias("localhost", "127.0.0.1")
			c, code := connect(t, s, tt.atyp, tt.addr, tt.port)
			if code != repSucceeded {
				t.Fatalf("reply %d", code)
			}
			c.Write([]byte("ping"))
			buf := make([]byte, 4)
			if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
				t.Fatalf("echo %q, %v", buf, err)
			}
			if !slices.Equal(s.Hosts(), []string{tt.host}) {
				t.Errorf("Hosts() = %q", s.Hosts())
			}
		})
	}
	t.Run("ipv6", func(t *testing.T) {
		port6 := echoServer(t, "tcp6", "[::1]:0")
		s := New(t)
		c, code := connect(t, s, atypIPv6, net.ParseIP("::1").To16(), port6)
		if code != repSucceeded {
			t.Fatalf("reply %d", code)
		}
		c.Write([]byte("ping"))
		buf := make([]byte, 4)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
			t.Fatalf("echo %q, %v", buf, err)
		}
		if !slices.Equal(s.Hosts(), []string{"::1"}) {
			t.Errorf("Hosts() = %q", s.Hosts())
		}
	})
}

func TestRefused(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := New(t)
	_, code := connect(t, s, atypIPv4, []byte{127, 0, 0, 1}, port)
	if code != repConnectionRefused {
		t.Errorf("reply %d, want %d", code, repConnectionRefused)
	}
}

func TestUnsupportedCommand(t *testing.T) {
	s := New(t)
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte{5, 1, 0})
	io.ReadFull(c, make([]byte, 2))
	c.Write([]byte{5, 2, 0, atypIPv4, 127, 0, 0, 1, 0, 80}) // BIND
	var rep [2]byte
	io.ReadFull(c, rep[:])
	if rep[1] != repCommandUnsupported {
		t.Errorf("reply %d, want %d", rep[1], repCommandUnsupported)
	}
}
