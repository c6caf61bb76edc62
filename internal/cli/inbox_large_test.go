package cli_test

import (
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/config"
)

// "difesa inbox" on a hub with 50,000 submissions (once it failed at about
// 6,000 with "unexpected EOF": the whole inbox came as one answer, larger
// than the client reads) lists them all, newest first.
func TestInboxLargeHub(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a hub with 50,000 submissions")
	}
	const n = 50_000
	srv := newServer(t, config.Default())
	filled := srv.Fill(t, n, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	start := time.Now()
	stdout, stderr := must(t, t.TempDir(), "inbox", "-hub", srv.HubURL, "-i", srv.IdentityFile)
	t.Logf("difesa inbox listed %d submissions in %v", n, time.Since(start))
	if !strings.Contains(stderr, "difesa: 50000 submissions on hub \"demo\"\n") {
		t.Fatalf("stderr:\n%s", stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != n+1 {
		t.Fatalf("%d lines, want a header and %d rows", len(lines), n)
	}
	for i, want := range []int{n - 1, n - 2, 0} {
		row := []int{1, 2, n}[i]
		if id := strings.Fields(lines[row])[0]; id != filled[want].ID.String() {
			t.Fatalf("row %d is %s, want %s (newest first)", row, id, filled[want].ID)
		}
	}
	if !strings.Contains(lines[1], " 2026-11-23 00:00 UTC ") {
		t.Fatalf("row: %s", lines[1])
	}
}
