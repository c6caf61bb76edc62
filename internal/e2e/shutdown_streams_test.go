package e2e

import (
	"context"
	"testing"
	"time"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/testserver"
)

// TestShutdownEndsEventStreams keeps a responder's event stream open and
// stops the server: the shutdown ends the stream's session and returns
// without waiting for its deadline. Before, an open `difesa watch` held
// every shutdown (and so every restart) for its whole 30 s grace, which
// then failed ("context deadline exceeded").
func TestShutdownEndsEventStreams(t *testing.T) {
	srv := testserver.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := client.New(srv.HubURL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(ctx, testserver.LoadIdentity(t, srv.IdentityFile)); err != nil {
		t.Fatal(err)
	}
	stream, err := c.Events(ctx, 0)
	if err != nil {
		t.Fatalf("the responder's event stream: %v", err)
	}
	defer stream.Close()

	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if err := srv.Instance.Shutdown(sctx); err != nil {
		t.Fatalf("shutdown with an open event stream: %v", err)
	}
}
