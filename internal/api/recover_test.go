package api_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/testutil/syncbuf"
	"difesa.org/difesa/internal/wire"
)

// TestPanicBecomesAGeneric500 makes a handler panic for real (a server
// built without a store, reached by an upload) and checks that the client
// gets the generic 500 and nothing of the panic, that the log says a
// handler panicked without a word of the request, and that the server
// goes on answering.
func TestPanicBecomesAGeneric500(t *testing.T) {
	t.Parallel()
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	h, err := hub.New("h", "Hub without a store", []string{id.Recipient().String()}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncbuf.Buffer{}
	srv := httptest.NewServer(api.New(api.Options{Hubs: hub.NewRegistry(h), Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}))
	t.Cleanup(srv.Close)

	const secretPath = "/api/v1/hubs/h/submissions?kind=alert"
	got := do(t, "POST", srv.URL+secretPath, wire.MediaTypeAge, "", bytes.NewReader(encrypt(t, []byte("a report"), false, id.Recipient())))
	if got.status != http.StatusInternalServerError || got.code() != wire.CodeInternal {
		t.Fatalf("a panicking handler answered %d %s, want 500 %s", got.status, got.body, wire.CodeInternal)
	}
	if strings.Contains(string(got.body), "nil") || strings.Contains(string(got.body), "runtime") {
		t.Fatalf("the answer tells of the panic: %s", got.body)
	}
	log := logs.String()
	if !strings.Contains(log, "panic in handler") {
		t.Fatalf("the panic was not logged: %s", log)
	}
	for _, leak := range []string{"submissions", "kind=alert", "127.0.0.1", "Go-http-client"} {
		if strings.Contains(log, leak) {
			t.Fatalf("the log of the panic holds %q of the request: %s", leak, log)
		}
	}
	if got := do(t, "GET", srv.URL+"/api/v1/hubs/h/", "", "", nil); got.status != http.StatusOK {
		t.Fatalf("after the panic the server answers %d %s", got.status, got.body)
	}
}
