package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/auth"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/testserver"
)

// timestamp matches a written date and time, to the minute or finer.
var timestamp = regexp.MustCompile(`\d{4}-\d\d-\d\d[T ]\d\d:(\d\d)(?::(\d\d)(?:[.,](\d+))?)?`)

// TestCanaryResponderActivity has a responder log in several times (the
// CLI, which logs out, and a session left open with a live event stream),
// then scans the database file and every log line: no time more precise
// than the hour may be there, written out or as Unix seconds (decimal or
// binary) of the logins or of their expiry. Nothing in the scan depends on
// the time of day: only the hour itself is allowed.
func TestCanaryResponderActivity(t *testing.T) {
	isolatePins(t)
	srv := testserver.New(t)
	before := time.Now()

	runCLI(t, "", "inbox", "-hub", srv.HubURL, "-i", srv.IdentityFile)
	runCLI(t, "", "inbox", "-hub", srv.HubURL, "-i", srv.IdentityFile)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
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
	after := time.Now()

	// The session stays live; only the connection goes, so the shutdown
	// need not wait for it.
	stream.Close()
	srv.Instance.Shutdown(ctx)
	db, err := os.ReadFile(filepath.Join(srv.DataDir, "difesa.db"))
	if err != nil {
		t.Fatal(err)
	}
	logs := srv.Logs()
	if !strings.Contains(logs, "difesad started") {
		t.Fatal("the log capture does not work; the scan below would prove nothing")
	}
	for name, data := range map[string][]byte{"database file": db, "log": []byte(logs)} {
		for _, m := range timestamp.FindAllSubmatch(data, -1) {
			if string(m[1]) != "00" || len(m[2]) > 0 && string(m[2]) != "00" || strings.Trim(string(m[3]), "0") != "" {
				t.Errorf("the %s holds a time finer than the hour: %q", name, m[0])
			}
		}
		for _, from := range []time.Time{before, before.Add(auth.TokenTTL)} {
			for sec := from.Unix() - 1; sec <= from.Unix()+after.Unix()-before.Unix()+1; sec++ {
				for _, enc := range secondsEncodings(sec) {
					if bytes.Contains(data, enc) {
						t.Errorf("the %s holds the second %d (%s) as %x", name, sec, time.Unix(sec, 0).UTC(), enc)
					}
				}
			}
		}
	}
}

// secondsEncodings are the ways a program commonly writes Unix second sec:
// decimal, 8 and 4 bytes in either order, and the seconds since year 1 of
// time.Time's binary form.
func secondsEncodings(sec int64) [][]byte {
	be8 := binary.BigEndian.AppendUint64(nil, uint64(sec))
	le8 := binary.LittleEndian.AppendUint64(nil, uint64(sec))
	be4 := binary.BigEndian.AppendUint32(nil, uint32(sec))
	le4 := binary.LittleEndian.AppendUint32(nil, uint32(sec))
	goBin := binary.BigEndian.AppendUint64(nil, uint64(sec+62135596800))
	return [][]byte{[]byte(strconv.FormatInt(sec, 10)), be8, le8, be4, le4, goBin}
}
