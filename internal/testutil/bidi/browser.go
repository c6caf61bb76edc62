// Package bidi drives Firefox ESR, the engine of Tor Browser, through its
// built-in WebDriver BiDi remote agent, for end-to-end tests of the
// defender's pages at each of Tor Browser's security levels ([Level]).
//
// [Start] runs `firefox-esr --headless --remote-debugging-port=0` with a
// fresh profile whose user.js holds the level's preferences, reads the
// WebSocket address the browser prints on stderr, opens a session and
// drives its one tab. Every call has a time limit; the browser (its whole
// process group) is stopped and its folder removed when the test ends.
//
// The WebSocket client is golang.org/x/net/websocket, already a
// dependency of the module; the protocol is plain JSON messages
// (https://w3c.github.io/webdriver-bidi/).
package bidi

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"difesa.org/difesa/internal/testutil/tool"
)

// Timeout bounds each command sent to the browser, unless a method takes
// its own.
const Timeout = 90 * time.Second

// origin is the Origin the WebSocket client sends; Firefox refuses any
// origin not named by --remote-allow-origins.
const origin = "http://127.0.0.1"

// ErrClosed is returned by commands sent after the connection ended.
var ErrClosed = errors.New("bidi: the connection to the browser is closed")

// Browser is a running Firefox with one tab (Context).
type Browser struct {
	// Level is the security level the profile was made for.
	Level Level
	// Context is the id of the tab's top-level browsing context.
	Context string

	t testing.TB // the test that reports failures, see [Browser.For]
	*session
}

// session is what every view of one browser shares.
type session struct {
	cmd     *exec.Cmd
	dir     string
	ws      *websocket.Conn
	wmu     sync.Mutex // serialises writes
	mu      sync.Mutex // guards what follows
	next    int
	pending map[int]chan message
	waiters []waiter
	// recorders keep events for diagnostics ([Browser.Record]).
	recorders []*Recorder
	done      chan struct{} // closed when the reader ends
	stderr    *tail
}

// For returns the same browser reporting failures to t, for subtests that
// share one browser.
func (b *Browser) For(t testing.TB) *Browser {
	return &Browser{Level: b.Level, Context: b.Context, t: t, session: b.session}
}

type message struct {
	ID      *int            `json:"id"`
	Type    string          `json:"type"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
	Result  json.RawMessage `json:"result"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
}

type waiter struct {
	method string
	ch     chan json.RawMessage
}

// Start starts Firefox ESR at level and returns it with a blank tab. It
// skips the test when firefox-esr is missing (fails it under CI=true).
func Start(t testing.TB, level Level) *Browser {
	t.Helper()
	exe := tool.Need(t, "firefox-esr", "apt-get install firefox-esr")
	// The profile, and everything the browser writes outside it (HOME,
	// TMPDIR), go in one folder removed once the browser has exited.
	dir, err := os.MkdirTemp("", "firefox-")
	if err != nil {
		t.Fatalf("bidi: unable to make the browser's folder: %v", err)
	}
	profile := filepath.Join(dir, "profile")
	if err := os.Mkdir(profile, 0o700); err != nil {
		t.Fatalf("bidi: unable to make the profile: %v", err)
	}
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(userJS(quiet, level.Prefs())), 0o600); err != nil {
		t.Fatalf("bidi: unable to write user.js: %v", err)
	}
	cmd := exec.Command(exe, "--headless", "--no-remote", "--profile", profile,
		"--remote-debugging-port=0", "--remote-allow-origins="+origin, "about:blank")
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "HOME" && k != "TMPDIR" && k != "XDG_CACHE_HOME" && k != "XDG_CONFIG_HOME" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "HOME="+dir, "TMPDIR="+dir, "XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "MOZ_CRASHREPORTER_DISABLE=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // stopped as a group
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		t.Fatalf("bidi: unable to start firefox-esr: %v", err)
	}
	b := &Browser{Level: level, t: t, session: &session{cmd: cmd, dir: dir, pending: map[int]chan message{}, done: make(chan struct{}), stderr: &tail{}}}
	t.Cleanup(func() { b.close(t) })

	addr := make(chan string, 1)
	go b.readStderr(stderr, addr)
	var url string
	select {
	case url = <-addr:
	case <-time.After(60 * time.Second):
		t.Fatalf("bidi: firefox-esr printed no WebDriver BiDi address within 60 s; its stderr ends:\n%s", b.stderr)
	}
	cfg, err := websocket.NewConfig(url+"/session", origin)
	if err != nil {
		t.Fatalf("bidi: %v", err)
	}
	cfg.Dialer = &net.Dialer{Timeout: 10 * time.Second}
	b.ws, err = websocket.DialConfig(cfg)
	if err != nil {
		t.Fatalf("bidi: unable to connect to %s: %v", url, err)
	}
	b.ws.MaxPayloadBytes = 64 << 20
	go b.read()

	b.Do("session.new", map[string]any{"capabilities": map[string]any{}}, nil)
	var tree struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	b.Do("browsingContext.getTree", map[string]any{"maxDepth": 0}, &tree)
	if len(tree.Contexts) == 0 {
		t.Fatal("bidi: the browser has no tab")
	}
	b.Context = tree.Contexts[0].Context
	b.Do("session.subscribe", map[string]any{"events": []string{"browsingContext.load"}}, nil)
	return b
}

// readStderr sends the WebDriver BiDi address on addr, and keeps the last
// lines of stderr for error messages.
func (b *session) readStderr(r io.Reader, addr chan<- string) {
	sc := bufio.NewScanner(r)
	const prefix = "WebDriver BiDi listening on "
	for sc.Scan() {
		line := sc.Text()
		b.stderr.add(line)
		if i := strings.Index(line, prefix); i >= 0 {
			select {
			case addr <- strings.TrimSpace(line[i+len(prefix):]):
			default:
			}
		}
	}
}

// read dispatches the browser's messages: answers to their command,
// events to whoever waits for them.
func (b *session) read() {
	defer close(b.done)
	for {
		var m message
		if err := websocket.JSON.Receive(b.ws, &m); err != nil {
			return
		}
		b.mu.Lock()
		if m.ID != nil {
			if ch, ok := b.pending[*m.ID]; ok {
				delete(b.pending, *m.ID)
				ch <- m
			}
		} else if m.Type == "event" {
			for _, r := range b.recorders {
				r.add(m)
			}
			kept := b.waiters[:0]
			for _, w := range b.waiters {
				if w.method == m.Method {
					w.ch <- m.Params
				} else {
					kept = append(kept, w)
				}
			}
			b.waiters = kept
		}
		b.mu.Unlock()
	}
}

// Call sends command method with params and decodes its result into out
// (unless out is nil).
func (b *session) Call(ctx context.Context, method string, params, out any) error {
	b.mu.Lock()
	b.next++
	id := b.next
	ch := make(chan message, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.pending, id)
		b.mu.Unlock()
	}()
	b.wmu.Lock()
	err := websocket.JSON.Send(b.ws, map[string]any{"id": id, "method": method, "params": params})
	b.wmu.Unlock()
	if err != nil {
		return fmt.Errorf("bidi: unable to send %s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Type == "error" {
			return fmt.Errorf("bidi: %s: %s: %s", method, m.Error, m.Message)
		}
		if out != nil {
			if err := json.Unmarshal(m.Result, out); err != nil {
				return fmt.Errorf("bidi: unable to read the result of %s: %w", method, err)
			}
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("bidi: %s: %w", method, ctx.Err())
	case <-b.done:
		return fmt.Errorf("bidi: %s: %w", method, ErrClosed)
	}
}

// Do is [Browser.Call] with [Timeout], failing the test on an error.
func (b *Browser) Do(method string, params, out any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	if err := b.Call(ctx, method, params, out); err != nil {
		b.t.Fatal(err)
	}
}

// next returns a channel that receives the parameters of the next event
// named method. Register before doing what causes the event.
func (b *session) nextEvent(method string) <-chan json.RawMessage {
	ch := make(chan json.RawMessage, 1)
	b.mu.Lock()
	b.waiters = append(b.waiters, waiter{method, ch})
	b.mu.Unlock()
	return ch
}

// close ends the session, stops the browser and its process group, and
// removes its folder.
func (b *session) close(t testing.TB) {
	if b.ws != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		b.Call(ctx, "browser.close", map[string]any{}, nil) // best effort; killed below otherwise
		cancel()
		b.ws.Close()
	}
	exited := make(chan struct{})
	go func() { b.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
	// Content processes of the group may outlive the parent for a moment.
	syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
	tool.RemoveDir(t, b.dir)
}

// tail keeps the last lines written by the browser.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) add(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, s)
	if len(t.lines) > 40 {
		t.lines = t.lines[1:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}
