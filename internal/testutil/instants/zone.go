package instants

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// childZone is set, to the zone, in the environment of the child process
// [InZone] starts.
const childZone = "DIFESA_TEST_IN_ZONE"

// InZone runs the calling top-level test again in a child process of the
// same test binary whose TZ is zone, for code that reads the real clock
// (time.Now is in time.Local, which only TZ sets reliably: assigning
// time.Local in-process races with every goroutine that reads it). In the
// child it returns true and the test does its work there; in the parent
// it waits for the child, fails the test if the child failed or did not
// run, and returns false.
//
//	func TestX(t *testing.T) {
//		if !instants.InZone(t, "Pacific/Kiritimati") {
//			return
//		}
//		… // runs with time.Local at UTC+14
//	}
func InZone(t *testing.T, zone string) bool {
	t.Helper()
	if os.Getenv(childZone) == zone {
		want := Zone(t, zone)
		now := time.Now()
		_, got := now.Zone()
		if _, off := now.In(want).Zone(); got != off {
			t.Fatalf("instants: the child runs at offset %d s, not in %s", got, zone)
		}
		return true
	}
	if strings.Contains(t.Name(), "/") {
		t.Fatalf("instants: InZone runs top-level tests only, not %s", t.Name())
	}
	Zone(t, zone) // fail early on a zone that does not exist
	cmd := exec.Command(os.Args[0], "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "TZ="+zone, childZone+"="+zone)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("in TZ=%s: %v\n%s", zone, err, out)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("in TZ=%s the test did not pass:\n%s", zone, out)
	}
	return false
}
