//go:build unix

package cli_test

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/testserver"
)

// downloadPath is a report's ciphertext at the hub.
var downloadPath = regexp.MustCompile(`/submissions/[a-z2-7]{26}$`)

// A real "difesa desk" process killed (SIGKILL: no chance to clean up) in
// the middle of its first sync of 1,200 reports, then started again on
// the same folder: it resumes where its last commit left it, downloads
// only what it had not kept, and ends with each report once.
func TestDeskKilledDuringFirstSyncResumes(t *testing.T) {
	const n, killAt = 1200, 700 // the listing comes in pages of 500
	srv := testserver.New(t)
	isolatePins(t)
	srv.Fill(t, n, time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))

	// A loopback proxy in front of the hub counts the downloads and, in
	// the first run, holds the killAt-th and every later one: the desk is
	// killed while it waits for them.
	target, _ := url.Parse(srv.HubURL)
	target.Path = ""
	var downloads atomic.Int64
	var hold atomic.Bool
	hold.Store(true)
	reached := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { close(release) })
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target) }}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && downloadPath.MatchString(r.URL.Path) {
			if k := downloads.Add(1); hold.Load() && k >= killAt {
				once.Do(func() { close(reached) })
				select {
				case <-release:
				case <-r.Context().Done():
				}
				http.Error(w, "held", http.StatusServiceUnavailable)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	hubURL := strings.Replace(srv.HubURL, target.Host, strings.TrimPrefix(proxy.URL, "http://"), 1)
	dir := filepath.Join(t.TempDir(), "desk")

	first := startDeskProcess(t, nil, "desk", "-hub", hubURL, "-i", srv.IdentityFile, "-dir", dir, "-no-open")
	select {
	case <-reached:
	case err := <-first.exited:
		t.Fatalf("the desk stopped before the middle of its sync: %v\n%s", err, first.stderr)
	case <-time.After(2 * time.Minute):
		t.Fatalf("the desk never reached download %d (%d so far)\n%s", killAt, downloads.Load(), first.stderr)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.exited

	id := testserver.LoadIdentity(t, srv.IdentityFile)
	kept := inboxIDs(t, dir, hubURL, id)
	if len(kept) == 0 || len(kept) >= n {
		t.Fatalf("after the kill, the desk's folder holds %d reports: want some, not all %d", len(kept), n)
	}

	hold.Store(false)
	before := downloads.Load()
	second := startDeskProcess(t, nil, "desk", "-hub", hubURL, "-i", srv.IdentityFile, "-dir", dir, "-no-open")
	cl := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Get(second.address)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(resp.Cookies()) != 1 {
		t.Fatalf("open: %s", resp.Status)
	}
	u, _ := url.Parse(second.address)
	done := "Cases (" + strconv.Itoa(n) + ")"
	for deadline := time.Now().Add(3 * time.Minute); ; {
		req, _ := http.NewRequest("GET", "http://"+u.Host+"/", nil)
		req.AddCookie(resp.Cookies()[0])
		r, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if strings.Contains(string(b), done) && !strings.Contains(string(b), "syncing:") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the resumed sync did not end (%d downloads)\n%s", downloads.Load()-before, second.stderr)
		}
		select {
		case err := <-second.exited:
			t.Fatalf("the desk stopped: %v\n%s", err, second.stderr)
		case <-time.After(200 * time.Millisecond): // polling the inbox, bounded by the deadline
		}
	}
	t.Logf("killed at download %d with %d reports kept; resumed with %d downloads", killAt, len(kept), downloads.Load()-before)
	if again := downloads.Load() - before; again != int64(n-len(kept)) {
		t.Errorf("resuming downloaded %d reports, want the %d not kept", again, n-len(kept))
	}
	if err := second.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-second.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the desk did not stop on SIGINT")
	}
	all := inboxIDs(t, dir, hubURL, id)
	if len(all) != n {
		t.Fatalf("after resuming, %d distinct reports, want %d", len(all), n)
	}
	for k := range kept {
		if !all[k] {
			t.Fatalf("report %s kept before the kill is gone", k)
		}
	}
}

// deskProcess is a running "difesa desk".
type deskProcess struct {
	cmd     *exec.Cmd
	address string
	exited  chan error
	stderr  *lockedWriter
}

// startDeskProcess starts difesa (this test binary, as testscript.Main
// runs it) with args, in env (nil: this process's), and waits for the
// address it prints.
func startDeskProcess(t *testing.T, env []string, args ...string) *deskProcess {
	t.Helper()
	exe, err := exec.LookPath("difesa")
	if err != nil {
		t.Fatal(err)
	}
	p := &deskProcess{cmd: exec.Command(exe, args...), exited: make(chan error, 1), stderr: &lockedWriter{}}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = p.stderr
	p.cmd.Env = env
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan struct{})
	go func() {
		p.exited <- p.cmd.Wait()
		close(stopped)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-stopped
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(s)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case p.address = <-line:
	case err := <-p.exited:
		t.Fatalf("the desk stopped: %v\n%s", err, p.stderr)
	case <-time.After(60 * time.Second):
		t.Fatal("the desk printed no address")
	}
	if !strings.HasPrefix(p.address, "http://127.0.0.1:") {
		t.Fatalf("printed %q", p.address)
	}
	return p
}

// lockedWriter keeps what a process writes, safe to read meanwhile.
type lockedWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(b)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// inboxIDs opens the desk's folder as the desk would (without syncing)
// and returns the reports it holds; it fails on a report listed twice.
func inboxIDs(t *testing.T, dir, hubURL string, id *age.HybridIdentity) map[string]bool {
	t.Helper()
	b, err := casebook.Open(casebook.Options{Dir: dir, Identities: []age.Identity{id}, Recipient: id.Recipient(),
		Hubs: []casebook.HubConfig{{URL: hubURL, Pins: client.NewPinStore(t.TempDir())}}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	seen := map[string]bool{}
	for off := 0; ; {
		p, err := b.Inbox(casebook.Filter{Offset: off, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range p.Items {
			if seen[it.ID] {
				t.Fatalf("report %s listed twice", it.ID)
			}
			seen[it.ID] = true
		}
		off += len(p.Items)
		if len(p.Items) == 0 || off >= p.Total {
			if len(seen) != p.Total {
				t.Fatalf("%d reports listed, %d counted", len(seen), p.Total)
			}
			return seen
		}
	}
}
