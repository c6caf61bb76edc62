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
