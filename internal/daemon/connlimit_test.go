package daemon_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/bench"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

// holdIdle opens n keep-alive connections to addr, makes one request on
// each and reads its whole answer, then leaves them open and idle, as a
// flooder refreshing them before the idle timeout would. It returns them,
// to be closed by the caller.
func holdIdle(t *testing.T, addr string, n int) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		c.SetDeadline(time.Now().Add(30 * time.Second))
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: difesa\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("idle connection %d: %v", len(conns), err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Close {
			t.Fatalf("idle connection %d: %d, close %v", len(conns), resp.StatusCode, resp.Close)
		}
		c.SetDeadline(time.Time{})
	}
	return conns
}

// TestIdleConnectionsDoNotShutTheDoor holds max_connections (the default,
// 256) idle keep-alive connections, each having made one request, and
// checks that an urgent alert and a check-in still get through within
// seconds. Before, each idle connection held its slot until the 120 s idle
// timeout, and a flooder refreshing them every 110 s kept every defender
// out: no alerts, and check-ins that could not arrive fired false alarms.
func TestIdleConnectionsDoNotShutTheDoor(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	srv := testserver.NewWithConfig(t, cfg)
	hc, err := bench.NewHubClient(srv.HubURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	recips, err := hc.Recipients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, err := bench.NewDefender()
	if err != nil {
		t.Fatal(err)
	}
	instructions, _, err := encryptFor(recips, 1, 500)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hc.ArmCheckin(ctx, d, 24*time.Hour, time.Hour, instructions); err != nil {
		t.Fatal(err)
	}
	alert, _, err := encryptFor(recips, 2, 1000)
	if err != nil {
		t.Fatal(err)
	}
	hc.HTTP.CloseIdleConnections() // its connections are not the flooder's

	held := holdIdle(t, strings.TrimPrefix(srv.URL, "http://"), config.DefaultMaxConnections)

	// A defender's client, with fresh connections, a few seconds at most.
	const within = 10 * time.Second
	fresh, _ := bench.NewHubClient(srv.HubURL, 2)
	fresh.HTTP.Timeout = within
	start := time.Now()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/hubs/"+"demo"+"/submissions?kind="+wire.KindAlert, bytes.NewReader(alert))
	req.Header.Set("Content-Type", wire.MediaTypeAge)
	resp, err := fresh.HTTP.Do(req)
	if err != nil {
		t.Fatalf("urgent alert with %d idle connections open: %v", len(held), err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("urgent alert: %d", resp.StatusCode)
	}
	t.Logf("alert through in %v", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if _, err := fresh.CheckIn(ctx, d); err != nil {
		t.Fatalf("check-in with %d idle connections open: %v", len(held), err)
	}
	t.Logf("check-in through in %v", time.Since(start).Round(time.Millisecond))
}
