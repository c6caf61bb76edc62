// Package socks5 is a small SOCKS5 proxy (RFC 1928) for tests: no
// authentication, CONNECT only, to IPv4, IPv6 and domain-name addresses. It
// counts connections and records the hosts it was asked for, so that tests
// can prove that traffic, and name resolution, went through the proxy.
//
// Names can be mapped to other hosts with [Server.Alias], so that a test can
// use an address such as "abcdef.onion" that only the proxy can resolve.
package socks5

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Reply codes (RFC 1928, section 6).
const (
	repSucceeded          = 0x00
	repGeneralFailure     = 0x01
	repHostUnreachable    = 0x04
	repConnectionRefused  = 0x05
	repCommandUnsupported = 0x07
	repAddressUnsupported = 0x08
)

// Address types.
const (
	atypIPv4   = 0x01
	atypDomain = 0x03
	atypIPv6   = 0x04
)

// Server is a running SOCKS5 proxy on 127.0.0.1.
type Server struct {
	ln net.Listener
	wg sync.WaitGroup

	mu      sync.Mutex
	conns   int
	hosts   []string
	aliases map[string]string
	open    map[net.Conn]struct{}
	closed  bool
}

// New starts a server on 127.0.0.1:0 and stops it when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatalf("socks5: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Start starts a server on 127.0.0.1:0.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, aliases: map[string]string{}, open: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Addr returns the server's address, 127.0.0.1:PORT.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL returns the proxy URL for clients, socks5h://127.0.0.1:PORT.
func (s *Server) URL() string { return "socks5h://" + s.Addr() }

// Alias makes the server connect to host (a name or an IP address, without
// port) when asked for name.
func (s *Server) Alias(name, host string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aliases[name] = host
}

// Connections returns how many client connections the server accepted.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// Hosts returns the hosts (names or IP addresses, without port) of the
// CONNECT requests received so far, in order.
func (s *Server) Hosts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hosts...)
}

// Close stops the server and cuts open connections.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for c := range s.open {
		c.Close()
	}
	s.mu.Unlock()
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.open[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.open, c)
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns++
		s.mu.Unlock()
		if !s.track(c) {
			c.Close()
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			defer c.Close()
			s.handle(c)
		}()
	}
}

func (s *Server) handle(c net.Conn) {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	host, port, err := s.handshake(c)
	if err != nil {
		return
	}
	s.mu.Lock()
	s.hosts = append(s.hosts, host)
	dialHost := host
	if a, ok := s.aliases[host]; ok {
		dialHost = a
	}
	s.mu.Unlock()

	up, err := net.DialTimeout("tcp", net.JoinHostPort(dialHost, strconv.Itoa(port)), 5*time.Second)
	if err != nil {
		code := byte(repHostUnreachable)
		var se interface{ Timeout() bool }
		if errors.As(err, &se) && !se.Timeout() {
			code = repConnectionRefused
		}
		reply(c, code, nil)
		return
	}
	if !s.track(up) {
		up.Close()
		return
	}
	defer s.untrack(up)
	defer up.Close()
	if err := reply(c, repSucceeded, up.LocalAddr().(*net.TCPAddr)); err != nil {
		return
	}
	c.SetDeadline(time.Time{})

	done := make(chan struct{}, 2)
	go func() {
		io.Copy(up, c)
		if tc, ok := up.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
		done <- struct{}{}
	}()
	go func() {
		io.Copy(c, up)
		if tc, ok := c.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
		done <- struct{}{}
	}()
	<-done
	<-done
}

// handshake reads the method negotiation and the request, and returns the
// requested host and port of a CONNECT. Failures are answered here.
func (s *Server) handshake(c net.Conn) (host string, port int, err error) {
	var hdr [2]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return "", 0, err
	}
	if hdr[0] != 5 {
		return "", 0, errors.New("not SOCKS5")
	}
	methods := make([]byte, hdr[1])
	if _, err := io.ReadFull(c, methods); err != nil {
		return "", 0, err
	}
	noAuth := false
	for _, m := range methods {
		if m == 0x00 {
			noAuth = true
		}
	}
	if !noAuth {
		c.Write([]byte{5, 0xff})
		return "", 0, errors.New("no acceptable method")
	}
	if _, err := c.Write([]byte{5, 0x00}); err != nil {
		return "", 0, err
	}

	var req [4]byte
	if _, err := io.ReadFull(c, req[:]); err != nil {
		return "", 0, err
	}
	if req[0] != 5 {
		return "", 0, errors.New("bad request version")
	}
	switch req[3] {
	case atypIPv4:
		var a [4]byte
		if _, err := io.ReadFull(c, a[:]); err != nil {
			return "", 0, err
		}
		host = net.IP(a[:]).String()
	case atypIPv6:
		var a [16]byte
		if _, err := io.ReadFull(c, a[:]); err != nil {
			return "", 0, err
		}
		host = net.IP(a[:]).String()
	case atypDomain:
		var n [1]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return "", 0, err
		}
		name := make([]byte, n[0])
		if _, err := io.ReadFull(c, name); err != nil {
			return "", 0, err
		}
		host = string(name)
	default:
		reply(c, repAddressUnsupported, nil)
		return "", 0, errors.New("unsupported address type")
	}
	var p [2]byte
	if _, err := io.ReadFull(c, p[:]); err != nil {
		return "", 0, err
	}
	if req[1] != 0x01 { // CONNECT
		reply(c, repCommandUnsupported, nil)
		return "", 0, errors.New("unsupported command")
	}
	if host == "" {
		reply(c, repGeneralFailure, nil)
		return "", 0, errors.New("empty host")
	}
	return host, int(binary.BigEndian.Uint16(p[:])), nil
}

// reply sends a reply with the bound address (0.0.0.0:0 if nil).
func reply(c net.Conn, code byte, bound *net.TCPAddr) error {
	b := []byte{5, code, 0}
	switch {
	case bound != nil && bound.IP.To4() == nil:
		b = append(b, atypIPv6)
		b = append(b, bound.IP.To16()...)
	case bound != nil:
		b = append(b, atypIPv4)
		b = append(b, bound.IP.To4()...)
	default:
		b = append(b, atypIPv4, 0, 0, 0, 0)
	}
	port := 0
	if bound != nil {
		port = bound.Port
	}
	b = binary.BigEndian.AppendUint16(b, uint16(port))
	_, err := c.Write(b)
	return err
}
