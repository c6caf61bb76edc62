package testserver

import (
	"testing"
	"time"

	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/store"
)

// fillBatch is how many submissions [Server.Fill] writes per transaction.
const fillBatch = 5000

// Fill stores n reports on the demo hub directly through the store, a
// batch per transaction, so that a test has a large inbox in seconds:
// each is the same real age file (encrypted once to the demo responder),
// received at the hour of received, new, at the hub's current epoch. The
// reports are returned in the order they were stored.
func (s *Server) Fill(t testing.TB, n int, received time.Time) []store.Submission {
	t.Helper()
	h := s.Instance.Hubs.Get(daemon.DemoHubID)
	id := LoadIdentity(t, s.IdentityFile)
	file := Encrypt(t, []byte("a report among many"), false, id.Recipient())
	out := make([]store.Submission, 0, n)
	for len(out) < n {
		k := min(fillBatch, n-len(out))
		subs, bodies := make([]store.Submission, k), make([][]byte, k)
		for i := range subs {
			subs[i] = store.Submission{
				Kind: "report", Received: received.UTC().Truncate(time.Hour), Status: "new",
				Recipients: h.Current().Fingerprint(), Epoch: h.Epoch(),
			}
			bodies[i] = file
		}
		added, err := s.Instance.Store.AddBatch(h.ID, subs, bodies)
		if err != nil {
			t.Fatalf("testserver: filling the inbox: %v", err)
		}
		out = append(out, added...)
	}
	return out
}
