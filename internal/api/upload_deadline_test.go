package api_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/auth"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// TestSlowUploadIsAcknowledged sends an upload that lasts longer than the
// server's WriteTimeout (60 s in difesad, shortened here) while data keeps
// flowing: its 201 must still reach the client. Before the fix the upload
// was committed but the answer was lost, so the client saw a failure.
func TestSlowUploadIsAcknowledged(t *testing.T) {
	t.Parallel()
	st, err := store.Open(filepath.Join(t.TempDir(), "test.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	h, err := hub.New("slow", "Slow hub", []string{id.Recipient().String()}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	authSvc, err := auth.New(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(api.New(api.Options{Store: st, Hubs: hub.NewRegistry(h), Auth: authSvc}))
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Config.WriteTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()

	file := encrypt(t, bytes.Repeat([]byte("a slow report "), 1000), false, id.Recipient())
	pr, pw := io.Pipe()
	go func() {
		pw.Write(file[:len(file)-100])
		for i := range 4 { // a trickle that outlasts both timeouts
			time.Sleep(250 * time.Millisecond)
			pw.Write(file[len(file)-100+25*i : len(file)-75+25*i])
		}
		pw.Close()
	}()
	resp, err := http.Post(srv.URL+"/api/v1/hubs/slow/submissions", wire.MediaTypeAge, pr)
	if err != nil {
		t.Fatalf("the upload got no answer: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
}

// TestSlowlorisUploadIsCut sends uploads that hold their connection without
// really sending anything: one that stops, and one that trickles a few
// bytes at a time, never idle for long. Both must be cut within the bound
// upload_pace.go documents (shortened here: an idle timeout of 300 ms
// instead of 60 s), while an upload at a fair pace goes through.
func TestSlowlorisUploadIsCut(t *testing.T) {
	t.Parallel()
	const idle = 300 * time.Millisecond
	st, err := store.Open(filepath.Join(t.TempDir(), "test.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	id, _ := age.GenerateHybridIdentity()
	h, _ := hub.New("slow", "Slow hub", []string{id.Recipient().String()}, 0, 0)
	authSvc, _ := auth.New(st, nil)
	srv := httptest.NewServer(api.New(api.Options{Store: st, Hubs: hub.NewRegistry(h), Auth: authSvc, UploadIdleTimeout: idle}))
	t.Cleanup(srv.Close)
	file := encrypt(t, bytes.Repeat([]byte("x"), 8000), false, id.Recipient())

	tests := []struct {
		name   string
		every  time.Duration // a piece of the rest of the file this often
		piece  int
		status int
		within time.Duration // from the start of the upload
		says   string
	}{
		// Cut when nothing came for the idle timeout.
		{"stops", time.Hour, 1, 400, idle + time.Second, "stalled"},
		// 10 bytes every 20 ms is 500 B/s, about half of minUploadRate:
		// with the first 1000 bytes as credit, cut after
		// (idle + 1000 B / 1 KiB/s) / (1 - 500/1024) ≈ 2.5 s.
		{"trickles", 20 * time.Millisecond, 10, 400, 3500 * time.Millisecond, "too slow"},
		// 200 bytes every 20 ms is 10 KB/s: done in well under a second.
		{"fair pace", 20 * time.Millisecond, 200, 201, 3 * time.Second, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pr, pw := io.Pipe()
			stop := make(chan struct{})
			go func() {
				defer pw.Close()
				pw.Write(file[:1000]) // the header and a little
				rest := file[1000:]
				for len(rest) > 0 {
					select {
					case <-stop:
						return
					case <-time.After(tt.every):
					}
					n := min(tt.piece, len(rest))
					if _, err := pw.Write(rest[:n]); err != nil {
						return
					}
					rest = rest[n:]
				}
			}()
			start := time.Now()
			r := do(t, "POST", srv.URL+"/api/v1/hubs/slow/submissions", wire.MediaTypeAge, "", pr)
			took := time.Since(start)
			close(stop)
			if r.status != tt.status || !bytes.Contains(r.body, []byte(tt.says)) {
				t.Fatalf("%d %s, want %d saying %q", r.status, r.body, tt.status, tt.says)
			}
			if took > tt.within {
				t.Fatalf("answered after %v, want within %v", took, tt.within)
			}
			t.Logf("answered %d after %v", r.status, took.Round(time.Millisecond))
		})
	}
	t.Cleanup(func() {
		if err := st.Verify(); err != nil {
			t.Error(err)
		}
	})
}
