package daemon_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bench"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/wire"
)

// shutdownRig runs difesad as a child process, so the test can send it
// real signals.
type shutdownRig struct {
	t   *testing.T
	exe string
	dir string
}

func newShutdownRig(t *testing.T) *shutdownRig {
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs signals and child processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return &shutdownRig{t: t, exe: exe, dir: filepath.Join(t.TempDir(), "data")}
}

func (r *shutdownRig) start() (*bench.Process, *bench.HubClient) {
	r.t.Helper()
	p, hc := startChild(r.t, r.exe, r.dir, 4)
	r.t.Cleanup(func() {
		select {
		case <-p.Exited():
		default:
			p.Kill()
		}
	})
	return p, hc
}

// encrypt returns an age file of n random bytes to the hub's recipients,
// and the SHA-256 of the plaintext.
func (r *shutdownRig) encrypt(hc *bench.HubClient, n int) ([]byte, [32]byte) {
	r.t.Helper()
	recips, err := hc.Recipients(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	plain := make([]byte, n)
	rand.Read(plain)
	var ct bytes.Buffer
	w, err := age.Encrypt(&ct, recips...)
	if err != nil {
		r.t.Fatal(err)
	}
	w.Write(plain)
	if err := w.Close(); err != nil {
		r.t.Fatal(err)
	}
	return ct.Bytes(), sha256.Sum256(plain)
}

// halfUpload starts uploading ct, sends its first half and returns the
// writer for the rest and the channel the answer arrives on. The request
// asks for 100-continue, so the first half leaves only once difesad's
// handler reads the body: when halfUpload returns, the upload is in the
// server's hands, not in a queue it could drop.
func halfUpload(hc *bench.HubClient, ct []byte) (*io.PipeWriter, <-chan error) {
	pr, pw := io.Pipe()
	answer := make(chan error, 1)
	go func() {
		req, err := http.NewRequest(http.MethodPost, hc.Base+"/api/v1/hubs/"+hc.Hub+"/submissions", pr)
		if err != nil {
			answer <- err
			return
		}
		req.ContentLength = int64(len(ct))
		req.Header.Set("Content-Type", wire.MediaTypeAge)
		req.Header.Set("Expect", "100-continue")
		tr := &http.Transport{ExpectContinueTimeout: time.Minute, DisableKeepAlives: true}
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			answer <- err
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			err = fmt.Errorf("upload: %s", resp.Status)
		}
		answer <- err
	}()
	pw.Write(ct[:len(ct)/2])
	return pw, answer
}

// opens checks that submission id decrypts to plaintext with SHA-256 sum.
func (r *shutdownRig) opens(hc *bench.HubClient, id string, sum [32]byte) {
	r.t.Helper()
	ident := loadDemoIdentity(r.t, filepath.Join(r.dir, daemon.DemoIdentityFile))
	ctx := context.Background()
	if err := hc.Login(ctx, ident, ident.Recipient().String()); err != nil {
		r.t.Fatal(err)
	}
	body, _, err := hc.Download(ctx, id)
	if err != nil {
		r.t.Fatalf("download %s: %v", id, err)
	}
	defer body.Close()
	plain, err := age.Decrypt(body, ident)
	if err != nil {
		r.t.Fatalf("decrypt %s: %v", id, err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, plain); err != nil {
		r.t.Fatalf("decrypt %s: %v", id, err)
	}
	if !bytes.Equal(h.Sum(nil), sum[:]) {
		r.t.Fatalf("submission %s decrypts to other bytes", id)
	}
}

// TestSIGTERMLetsUploadsFinish sends SIGTERM while an upload is half sent:
// difesad stops accepting connections, waits for the upload, answers it
// 201, and exits 0; after a restart the submission opens.
func TestSIGTERMLetsUploadsFinish(t *testing.T) {
	r := newShutdownRig(t)
	p, hc := r.start()
	ct, sum := r.encrypt(hc, 3<<20)
	rest, answer := halfUpload(hc, ct)

	p.Cmd.Process.Signal(syscall.SIGTERM)
	waitShuttingDown(t, p)
	// It stops accepting connections, within seconds, and keeps running.
	addr := strings.TrimPrefix(p.URL, "http://")
	for deadline := time.Now().Add(5 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("difesad still accepts connections 5 s after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, with a deadline
	}
	select {
	case <-p.Exited():
		t.Fatalf("difesad exited with an upload in flight: %s", p.Stderr())
	default:
	}

	rest.Write(ct[len(ct)/2:])
	rest.Close()
	if err := <-answer; err != nil {
		t.Fatalf("the upload in flight at SIGTERM was not acknowledged: %v", err)
	}
	select {
	case <-p.Exited():
	case <-time.After(10 * time.Second):
		t.Fatal("difesad did not exit after its last upload")
	}
	if code := p.Cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d after SIGTERM: %s", code, p.Stderr())
	}

	p, hc = r.start()
	subs := r.listAfterLogin(hc)
	if len(subs) != 1 {
		t.Fatalf("after restart: %d submissions, want 1", len(subs))
	}
	r.opens(hc, subs[0], sum)
	if err := p.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// listAfterLogin logs in as the demo responder and lists submission ids.
func (r *shutdownRig) listAfterLogin(hc *bench.HubClient) []string {
	r.t.Helper()
	ident := loadDemoIdentity(r.t, filepath.Join(r.dir, daemon.DemoIdentityFile))
	ctx := context.Background()
	if err := hc.Login(ctx, ident, ident.Recipient().String()); err != nil {
		r.t.Fatal(err)
	}
	subs, err := hc.List(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	var ids []string
	for _, s := range subs {
		ids = append(ids, s.ID)
	}
	return ids
}

// TestSecondSignalExitsAtOnce: a second SIGTERM during a shutdown that
// waits for a stalled upload ends the process at once; the database is
// consistent, the earlier acknowledged submission opens, and the half
// upload left nothing behind.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	r := newShutdownRig(t)
	p, hc := r.start()
	small, sum := r.encrypt(hc, 1000)
	created, err := hc.Submit(context.Background(), bytes.NewReader(small), int64(len(small)))
	if err != nil {
		t.Fatal(err)
	}
	big, _ := r.encrypt(hc, 3<<20)
	rest, answer := halfUpload(hc, big)

	p.Cmd.Process.Signal(syscall.SIGTERM)
	// The first signal is handled (difesad says so once it no longer
	// catches signals), and the shutdown waits for the stalled upload.
	waitShuttingDown(t, p)
	select {
	case <-p.Exited():
		t.Fatalf("difesad exited on the first SIGTERM with an upload in flight: %s", p.Stderr())
	default:
	}
	began := time.Now()
	p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.Exited():
	case <-time.After(3 * time.Second):
		t.Fatal("difesad did not exit at once on a second SIGTERM")
	}
	t.Logf("exited %v after the second signal", time.Since(began).Round(time.Millisecond))
	rest.CloseWithError(errors.New("the client gives up"))
	select {
	case err := <-answer:
		if err == nil {
			t.Fatal("the stalled upload was acknowledged")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stalled upload got no answer")
	}

	var out, errb bytes.Buffer
	if code := daemon.Main([]string{"verify", "-data", r.dir}, &out, &errb, func(string) string { return "" }); code != 0 {
		t.Fatalf("verify after the second signal: %s%s", out.String(), errb.String())
	}
	p, hc = r.start()
	if ids := r.listAfterLogin(hc); len(ids) != 1 || ids[0] != created.ID {
		t.Fatalf("after restart: %v, want only %s", ids, created.ID)
	}
	r.opens(hc, created.ID, sum)
	if err := p.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// waitShuttingDown waits, 10 s at most, until difesad logs that it is
// shutting down: it has taken the first signal, and a second one would
// now end it.
func waitShuttingDown(t *testing.T, p *bench.Process) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for !strings.Contains(p.Stderr(), "shutting down") {
		select {
		case <-p.Exited():
			t.Fatalf("difesad exited on SIGTERM with an upload in flight: %s", p.Stderr())
		case <-deadline:
			t.Fatalf("difesad did not start shutting down within 10 s of SIGTERM: %s", p.Stderr())
		case <-time.After(10 * time.Millisecond):
		}
	}
}
