package cli_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/wire"
)

// hostileIDs are what a hostile hub lists: ids with terminal controls, one
// a report, one a reply (which makes rekey look for its conversation).
var hostileIDs = []wire.Submission{
	{ID: "evil\x1b[2J\x1b]0;owned\x07", Kind: wire.KindReport, Epoch: 0},
	{ID: "evil2\x1b[31m\r\u202e", Kind: wire.KindReply, Epoch: 0},
}

// newHostileProxy forwards to a real server, adds hostileIDs to the
// submission list, and answers every request about them with an error
// whose message carries terminal controls.
func newHostileProxy(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method != "GET" || !strings.HasSuffix(resp.Request.URL.Path, "/submissions") || resp.StatusCode != http.StatusOK {
			return nil
		}
		var l wire.SubmissionList
		err := json.NewDecoder(resp.Body).Decode(&l)
		resp.Body.Close()
		if err != nil {
			return err
		}
		l.Submissions = append(l.Submissions, hostileIDs...)
		body, _ := json.Marshal(l)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "evil") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(wire.ErrorBody{Error: &wire.Error{Code: wire.CodeNotFound, Message: "gone\x1b[1A\x1b[2K\x07 \u202ehidden"}})
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestRekeyCleansHostileStrings: every id and message that a hostile hub
// sends reaches the terminal without its control characters.
func TestRekeyCleansHostileStrings(t *testing.T) {
	pins := isolatePins(t)
	srv := newServer(t, config.Default())
	hub := newHostileProxy(t, srv.URL) + "/hubs/demo"
	code, stdout, stderr := run(t, pins, "rekey", "-hub", hub, "-i", srv.IdentityFile)
	if !strings.Contains(stderr, "2 submissions to move") || !strings.Contains(stderr, "skipped") {
		t.Fatalf("rekey through the hostile hub: exit %d\n%s", code, stderr)
	}
	for _, out := range []string{stdout, stderr} {
		if i := strings.IndexFunc(out, func(r rune) bool {
			return r != '\n' && r != '\t' && (r < 0x20 || r == 0x7f || r == '\u202e')
		}); i >= 0 {
			t.Errorf("a control character %q reached the terminal:\n%q", out[i:i+1], out)
		}
	}
	if !strings.Contains(stderr, "evil\uFFFD[2J") {
		t.Errorf("the hostile id is not shown, cleaned:\n%s", stderr)
	}
}
