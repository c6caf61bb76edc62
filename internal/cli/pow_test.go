package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/client"
)

// The progress of a proof of work shows only once it takes over a second.
func TestPoWProgress(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	e := &env{stderr: &stderr}
	report := e.powReporter()
	report(client.PoWProgress{Bits: 12, Tries: 1 << 16, Elapsed: 10 * time.Millisecond})
	report(client.PoWProgress{Bits: 12, Elapsed: 20 * time.Millisecond, Done: true})
	if stderr.Len() != 0 {
		t.Fatalf("a quick proof of work printed %q", stderr.String())
	}
	report(client.PoWProgress{Bits: 24, Tries: 1 << 23, Elapsed: 1100 * time.Millisecond})
	report(client.PoWProgress{Bits: 24, Tries: 1 << 24, Elapsed: 1900 * time.Millisecond})
	report(client.PoWProgress{Bits: 24, Elapsed: 2345 * time.Millisecond, Done: true})
	want := "difesa: the hub is busy and asks for proof of work (24 bits): working on it\n" +
		"difesa: the hub is busy and asks for proof of work (24 bits): done in 2.3 s\n"
	if got := stderr.String(); got != want {
		t.Errorf("printed\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(stderr.String(), "\r") {
		t.Error("carriage return written to a file")
	}
}
