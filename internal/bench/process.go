package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is a server running in a child process.
type Process struct {
	Cmd *exec.Cmd
	// URL is the base URL the server printed, e.g. http://127.0.0.1:41234.
	URL string
	// HubURL is the first hub address the server printed (difesad prints
	// `hub "demo" (Demo hub): http://…/hubs/demo`), or "" for the baseline.
	HubURL string

	stderr *tailBuffer
	exited chan struct{}
	err    error // of Cmd.Wait, valid once exited is closed
}

// startTimeout bounds how long a child may take to print its address.
const startTimeout = 30 * time.Second

// StartProcess starts cmd, whose standard output and error it takes over,
// and waits until the server prints the address it serves (a line holding
// "http://").
func StartProcess(cmd *exec.Cmd) (*Process, error) {
	addr := make(chan string, 1)
	p := &Process{Cmd: cmd, stderr: &tailBuffer{max: 64 << 10}, exited: make(chan struct{})}
	cmd.Stdout = &addrWatcher{found: addr}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: unable to start %s: %w", cmd.Path, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case <-p.exited:
		return nil, fmt.Errorf("bench: server exited before serving (%v): %s", p.err, p.Stderr())
	case u := <-addr:
		p.URL = u
		if base, _, ok := strings.Cut(u, "/hubs/"); ok {
			p.URL, p.HubURL = base, u
		}
		return p, nil
	case <-timer.C:
		p.Kill()
		return nil, fmt.Errorf("bench: server printed no address within %v: %s", startTimeout, p.Stderr())
	}
}

// Kill ends the server at once with SIGKILL, as a power cut would (for the
// process; the kernel still flushes what was written), and waits for it.
func (p *Process) Kill() {
	p.Cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// Stop asks the server to shut down with SIGTERM and waits up to timeout
// before killing it. It returns an error unless the server exited cleanly.
func (p *Process) Stop(timeout time.Duration) error {
	p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(timeout):
		p.Kill()
		return fmt.Errorf("bench: server did not stop within %v", timeout)
	}
	if p.err != nil {
		return fmt.Errorf("bench: server exited with %v: %s", p.err, p.Stderr())
	}
	return nil
}

// Exited is closed once the process has ended.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Stderr returns the end of what the server wrote to its standard error.
func (p *Process) Stderr() string { return p.stderr.String() }

// Memory is a process's memory use as the kernel reports it, in bytes.
type Memory struct {
	// RSS is the resident set now (VmRSS); Peak its high-water mark since
	// the process started (VmHWM).
	RSS, Peak int64
	// Anon and File split RSS into anonymous memory (the heap and stacks)
	// and mapped files (for difesad, the bbolt file's pages).
	Anon, File int64
}

// ErrNoProc is returned by [Process.Memory] where /proc is not available.
var ErrNoProc = errors.New("bench: /proc/PID/status is not available on this system")

// Memory reads the server's memory use from /proc/PID/status.
func (p *Process) Memory() (Memory, error) {
	return ReadMemory(p.Cmd.Process.Pid)
}

// ReadMemory reads a process's memory use from /proc/PID/status.
func ReadMemory(pid int) (Memory, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return Memory{}, fmt.Errorf("%w: %v", ErrNoProc, err)
	}
	var m Memory
	fields := map[string]*int64{"VmRSS:": &m.RSS, "VmHWM:": &m.Peak, "RssAnon:": &m.Anon, "RssFile:": &m.File}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[2] == "kB" && fields[f[0]] != nil {
			n, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return Memory{}, fmt.Errorf("bench: malformed /proc status line %q", line)
			}
			*fields[f[0]] = n << 10
		}
	}
	if m.RSS == 0 || m.Peak == 0 {
		return Memory{}, fmt.Errorf("%w: no VmRSS or VmHWM", ErrNoProc)
	}
	return m, nil
}

// addrWatcher is a child's standard output: it sends the first URL printed
// at the start of a line's "http://" and discards everything else.
type addrWatcher struct {
	found chan<- string
	line  []byte
	done  bool
}

func (w *addrWatcher) Write(p []byte) (int, error) {
	if w.done {
		return len(p), nil
	}
	w.line = append(w.line, p...)
	for {
		i := bytes.IndexByte(w.line, '\n')
		if i < 0 {
			break
		}
		line := string(w.line[:i])
		w.line = w.line[i+1:]
		if j := strings.Index(line, "http://"); j >= 0 {
			w.found <- strings.Fields(line[j:])[0]
			w.done, w.line = true, nil
			break
		}
	}
	return len(p), nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
