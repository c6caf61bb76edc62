package tortest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"time"
)

// control is just enough of Tor's control protocol (control-spec.txt) to
// authenticate, subscribe to events and wait for one.
type control struct {
	conn net.Conn
	r    *bufio.Reader
}

// dialControl connects to a tor's control port, retrying while tor starts.
func dialControl(ctx context.Context, port int) (*control, error) {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			if deadline, ok := ctx.Deadline(); ok {
				conn.SetDeadline(deadline)
			}
			return &control{conn: conn, r: bufio.NewReader(conn)}, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("control port %s: %w", addr, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (c *control) Close() error { return c.conn.Close() }

// command sends a line and reads the reply, which must be 250.
func (c *control) command(line string) error {
	if _, err := fmt.Fprintf(c.conn, "%s\r\n", line); err != nil {
		return err
	}
	for {
		reply, err := c.r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("control %s: %w", line, err)
		}
		if len(reply) >= 4 && reply[3] == ' ' { // the last line of a reply
			if !strings.HasPrefix(reply, "250") {
				return fmt.Errorf("control %s: %s", line, strings.TrimSpace(reply))
			}
			return nil
		}
	}
}

// waitEvent reads lines until one starts with prefix or ctx ends.
func (c *control) waitEvent(ctx context.Context, prefix string) (string, error) {
	if deadline, ok := ctx.Deadline(); ok {
		c.conn.SetReadDeadline(deadline)
	}
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(line, prefix) {
			return strings.TrimSpace(line), nil
		}
	}
}
