package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/cli"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

// clientAddr is the loopback address the test's own HTTP requests come
// from, so that the scan can look for it.
const clientAddr = "127.0.0.77"

func runCLI(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := cli.Main(args, strings.NewReader(stdin), &out, &errb); code != 0 {
		t.Fatalf("difesa %s: exit %d\n%s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

// TestCanary sends reports carrying unique markers (in the text, in an
// attachment's name and content, and in request headers a careless server
// might log), opens them as a responder, and then scans the database file
// and every log line: no marker, no client address may be there, and the
// only time stored about a submission is the hour.
func TestCanary(t *testing.T) {
	isolatePins(t)
	srv := testserver.New(t)
	marker := "CANARY-" + randomHex(12)
	headerMarker := "HEADER-" + randomHex(12)
	work := t.TempDir()
	attachment := filepath.Join(work, marker+".txt")
	os.WriteFile(attachment, []byte("attachment body "+marker), 0o600)

	id := strings.TrimSpace(runCLI(t, "",
		"submit", "-hub", srv.HubURL, "-category", "surveillance", "-where", "Trieste "+marker,
		"-m", "they followed me home "+marker, "-attach", attachment))

	// A second submission by hand, from a distinct loopback address and
	// with identifying headers.
	var ct bytes.Buffer
	w, _ := age.Encrypt(&ct, testserver.LoadIdentity(t, srv.IdentityFile).Recipient())
	w.Write([]byte("plain age report " + marker))
	w.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/hubs/demo/submissions?note="+headerMarker, &ct)
	req.Header.Set("Content-Type", wire.MediaTypeAge)
	req.Header.Set("User-Agent", "Mozilla/5.0 "+headerMarker)
	req.Header.Set("X-Forwarded-For", "198.51.100.23")
	req.Header.Set("Referer", "http://"+headerMarker+".example/")
	req.Header.Set("Cookie", "session="+headerMarker)
	resp, err := fromAddr(clientAddr).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("hand-made submission: %d", resp.StatusCode)
	}

	// The responder reads everything.
	inbox := runCLI(t, "", "inbox", "-hub", srv.HubURL, "-i", srv.IdentityFile)
	if !strings.Contains(inbox, id) {
		t.Fatalf("inbox lacks %s:\n%s", id, inbox)
	}
	outDir := filepath.Join(work, "opened")
	opened := runCLI(t, "", "open", "-hub", srv.HubURL, "-i", srv.IdentityFile, "-o", outDir, id)
	if !strings.Contains(opened, "they followed me home "+marker) {
		t.Fatalf("opened report lacks the text:\n%s", opened)
	}
	if got := readFile(t, filepath.Join(outDir, marker+".txt")); got != "attachment body "+marker {
		t.Fatalf("attachment: %q", got)
	}

	// Every submission's only time is the hour it arrived in.
	subs, err := srv.Instance.Store.Submissions("demo")
	if err != nil || len(subs) != 2 {
		t.Fatalf("submissions: %v %v", subs, err)
	}
	for _, s := range subs {
		if !s.Received.Equal(s.Received.Truncate(time.Hour)) {
			t.Errorf("submission %s stores a precise time: %v", s.ID, s.Received)
		}
	}

	// Shut down cleanly so the database file is complete, then scan.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Instance.Shutdown(ctx)
	db, err := os.ReadFile(filepath.Join(srv.DataDir, "difesa.db"))
	if err != nil {
		t.Fatal(err)
	}
	logs := srv.Logs()
	if !strings.Contains(logs, "difesad started") {
		t.Fatal("the log capture does not work; the scan below would prove nothing")
	}
	for _, secret := range []string{marker, headerMarker, clientAddr, "198.51.100.23", "Mozilla", "surveillance", "Trieste"} {
		if bytes.Contains(db, []byte(secret)) {
			t.Errorf("the database file contains %q", secret)
		}
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains %q", secret)
		}
	}
	// The database does hold the ciphertext: the scan looked at real data.
	if !bytes.Contains(db, []byte("age-encryption.org/v1")) {
		t.Fatal("no age header in the database file")
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fromAddr returns an HTTP client whose connections come from ip.
func fromAddr(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}
