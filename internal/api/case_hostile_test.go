package api_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/wire"
)

// TestCaseRecordHostileInput sends every kind of bad write to both
// record endpoints: each gets its clear error, and the record stays as it
// was.
func TestCaseRecordHostileInput(t *testing.T) {
	t.Parallel()
	h := newCaseHub(t)
	good := func(size int) []byte { return encrypt(t, bytes.Repeat([]byte("c"), size), false, h.id.Recipient()) }
	classic, _ := age.GenerateX25519Identity()
	stranger, _ := age.GenerateHybridIdentity()
	// A header, then less payload than the nonce: no age file is so short.
	truncated := good(10)
	mac := bytes.Index(truncated, []byte("\n--- "))
	truncated = truncated[:mac+1+bytes.IndexByte(truncated[mac+1:], '\n')+1+10]
	// A defender with a conversation at the hub: their thread token is no
	// responder token.
	var defenderToken [32]byte
	rand.Read(defenderToken[:])
	verifier := codename.TokenVerifier(defenderToken)
	req, _ := http.NewRequest("POST", h.api+"/submissions", bytes.NewReader(good(10)))
	req.Header.Set("Content-Type", wire.MediaTypeAge)
	req.Header.Set(wire.HeaderThreadVerifier, base64.RawURLEncoding.EncodeToString(verifier[:]))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 201 {
		t.Fatalf("opening a conversation: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	encode32 := base64.RawURLEncoding.EncodeToString

	for _, ep := range []struct {
		name, url string
		limit     int
	}{
		{"case", h.caseURL, wire.MaxCaseRecordSize},
		{"hub record", h.api + "/case-settings", wire.MaxHubRecordSize},
	} {
		t.Run(ep.name, func(t *testing.T) {
			if r := putRecord(t, ep.url, h.token, `"0"`, wire.MediaTypeAge, encrypt(t, []byte("kept"), false, h.id.Recipient())); r.status != 200 {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			for _, tc := range []struct {
				name, token, ifMatch, ct string
				body                     []byte
				status                   int
				code                     string
			}{
				{"no If-Match", h.token, "", wire.MediaTypeAge, good(10), 428, wire.CodeVersionRequired},
				{"unquoted", h.token, "1", wire.MediaTypeAge, good(10), 400, wire.CodeBadVersion},
				{"weak", h.token, `W/"1"`, wire.MediaTypeAge, good(10), 400, wire.CodeBadVersion},
				{"leading zero", h.token, `"01"`, wire.MediaTypeAge, good(10), 400, wire.CodeBadVersion},
				{"negative", h.token, `"-1"`, wire.MediaTypeAge, good(10), 400, wire.CodeBadVersion},
				{"star", h.token, `*`, wire.MediaTypeAge, good(10), 400, wire.CodeBadVersion},
				{"list", h.token, `"1", "2"`, wire.MediaTypeAge, good(10), 400, wire.CodeBadVersion},
				{"over uint64", h.token, `"18446744073709551616"`, wire.MediaTypeAge, good(10), 400, wire.CodeBadVersion},
				{"huge header", h.token, `"` + strings.Repeat("9", 4000) + `"`, wire.MediaTypeAge, good(10), 400, wire.CodeBadVersion},
				{"json", h.token, `"1"`, "application/json", []byte(`{"labels":["x"]}`), 415, wire.CodeUnsupportedType},
				{"no type", h.token, `"1"`, "", good(10), 415, wire.CodeUnsupportedType},
				{"broken type", h.token, `"1"`, "application/vnd.age; ===", good(10), 415, wire.CodeUnsupportedType},
				{"oversize", h.token, `"1"`, wire.MediaTypeAge, good(ep.limit), 413, wire.CodeCaseTooLarge},
				{"not age", h.token, `"1"`, wire.MediaTypeAge, []byte("labels: urgent\nassignee: lawyer\n"), 400, wire.CodeBadAgeHeader},
				{"empty", h.token, `"1"`, wire.MediaTypeAge, nil, 400, wire.CodeBadAgeHeader},
				{"truncated payload", h.token, `"1"`, wire.MediaTypeAge, truncated, 400, wire.CodeBadPayload},
				{"classic recipient", h.token, `"1"`, wire.MediaTypeAge, encrypt(t, []byte("x"), false, classic.Recipient()), 422, wire.CodeRecipientMismatch},
				{"one too many", h.token, `"1"`, wire.MediaTypeAge, encrypt(t, []byte("x"), false, h.id.Recipient(), stranger.Recipient()), 422, wire.CodeRecipientMismatch},
				{"no token", "", `"1"`, wire.MediaTypeAge, good(10), 401, wire.CodeUnauthorized},
				{"defender token", encode32(defenderToken[:]), `"1"`, wire.MediaTypeAge, good(10), 401, wire.CodeUnauthorized},
			} {
				r := putRecord(t, ep.url, tc.token, tc.ifMatch, tc.ct, tc.body)
				if r.status != tc.status || r.code() != tc.code {
					t.Errorf("%s: %d %.200s, want %d %s", tc.name, r.status, r.body, tc.status, tc.code)
				}
			}
			// A body larger than the limit without a Content-Length.
			req, _ := http.NewRequest("PUT", ep.url, io.MultiReader(bytes.NewReader(good(ep.limit))))
			req.ContentLength = -1
			req.Header.Set("Content-Type", wire.MediaTypeAge)
			req.Header.Set("Authorization", "Bearer "+h.token)
			req.Header.Set("If-Match", `"1"`)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if r := (response{resp.StatusCode, resp.Header, b}); r.status != 413 || r.code() != wire.CodeCaseTooLarge {
				t.Errorf("chunked oversize: %d %s", r.status, r.body)
			}
			// Reads need a responder token too; the defender's token in its
			// own header is no better.
			for _, token := range []string{"", encode32(defenderToken[:])} {
				if r := do(t, "GET", ep.url, "", token, nil); r.status != 401 {
					t.Errorf("GET with token %q: %d", token, r.status)
				}
			}
			for _, method := range []string{"GET", "PUT"} {
				req, _ := http.NewRequest(method, ep.url, bytes.NewReader(good(10)))
				req.Header.Set("Content-Type", wire.MediaTypeAge)
				req.Header.Set("If-Match", `"1"`)
				req.Header.Set(wire.HeaderThreadToken, encode32(defenderToken[:]))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 401 {
					t.Errorf("%s with the defender's thread token: %d", method, resp.StatusCode)
				}
			}
			if pt, etag := readRecord(t, ep.url, h.token, h.id); pt != "kept" || etag != `"1"` {
				t.Fatalf("after hostile writes: %.200q %s", pt, etag)
			}
		})
	}
	// Methods the endpoints do not answer.
	for _, u := range []string{h.caseURL, h.api + "/case-settings"} {
		for _, m := range []string{"POST", "DELETE", "PATCH"} {
			if r := do(t, m, u, wire.MediaTypeAge, h.token, bytes.NewReader(good(10))); r.status != 405 {
				t.Errorf("%s %s: %d %s", m, u, r.status, r.body)
			}
		}
	}
	// Unknown and malformed submissions.
	for _, tc := range []struct {
		url    string
		status int
	}{
		{h.api + "/submissions/aaaaaaaaaaaaaaaaaaaaaaaaaa/case", 404},
		{h.api + "/submissions/..%2f/case", 400},
		{h.api + "/submissions/" + strings.Repeat("a", 5000) + "/case", 400},
	} {
		if r := do(t, "GET", tc.url, "", h.token, nil); r.status != tc.status {
			t.Errorf("GET %.80s: %d %s", tc.url, r.status, r.body)
		}
		if r := putRecord(t, tc.url, h.token, `"0"`, wire.MediaTypeAge, good(10)); r.status != tc.status {
			t.Errorf("PUT %.80s: %d %s", tc.url, r.status, r.body)
		}
	}
}
