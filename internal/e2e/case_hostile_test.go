package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/bench"
	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/wire"
)

// answer is what the server said to a hand-made request.
type answer struct {
	status     int
	code, etag string
}

// send sends a request as a hostile or careless client would, with the
// bearer token (if any) and the headers given.
func send(t *testing.T, method, u, token string, header map[string]string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Error wire.Error `json:"error"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	json.Unmarshal(b, &e)
	return answer{resp.StatusCode, e.Error.Code, resp.Header.Get("ETag")}
}

// TestCaseHostileRequestsToProcess sends difesad (a real process, its
// real HTTP server) what internal/api's tests of case records do not: a
// record encrypted to only some of the hub's responders, versions from
// the future up to the largest, the token of another hub's responder
// (403, as docs/api.md says), a
// forged token, a token after logout, a key outside the manifest, a
// header past the server's limit, and a well-formed age file to the right
// responders that is no case record. Each gets its clear error (the last
// one is the clients' to refuse, and they do without writing); the record
// is as it was, and every responder can still read it.
func TestCaseHostileRequestsToProcess(t *testing.T) {
	dan := newResponder(t, "Dan")
	s := newCaseSession(t, hubBlock(t, "other", dan))
	s.ana.must(t, s.direct, "note", s.id, "kept "+s.marker)
	s.bo.must(t, s.direct, "assign", s.id, "me")
	ana, bo, cleo := login(t, s.direct, s.ana), login(t, s.direct, s.bo), login(t, s.direct, s.cleo)
	ctx := context.Background()
	before, v, err := cleo.GetCase(ctx, s.id)
	if err != nil || v != 2 {
		t.Fatalf("the record before: version %d, %v", v, err)
	}
	caseURL := ana.Base + "/api/v1/hubs/it/submissions/" + s.id + "/case"
	all := []age.Recipient{s.ana.id.Recipient(), s.bo.id.Recipient(), s.cleo.id.Recipient()}
	good := func(to ...age.Recipient) []byte {
		r, err := caserecord.Open(before, s.ana.id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.AddNote("Ana", r.Notes[0].Hour, "must not be kept", ""); err != nil {
			t.Fatal(err)
		}
		ct, err := caserecord.Seal(r, to)
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	ageType := map[string]string{"Content-Type": wire.MediaTypeAge}
	with := func(ifMatch string) map[string]string {
		return map[string]string{"Content-Type": wire.MediaTypeAge, "If-Match": ifMatch}
	}

	other := login(t, strings.Replace(s.direct, "/hubs/it", "/hubs/other", 1), dan)
	forged := make([]byte, 32)
	rand.Read(forged)
	out := login(t, s.direct, s.bo)
	if a := send(t, "POST", out.Base+"/api/v1/hubs/it/auth/logout", out.Token(), nil, nil); a.status != http.StatusNoContent {
		t.Fatalf("logout: %+v", a)
	}
	for _, tc := range []struct {
		name, method, token string
		header              map[string]string
		body                []byte
		status              int
		code                string
	}{
		{"to two of the three responders", "PUT", ana.Token(), with(`"2"`), good(all[:2]...), 422, wire.CodeRecipientMismatch},
		{"to one of them", "PUT", bo.Token(), with(`"2"`), good(all[2]), 422, wire.CodeRecipientMismatch},
		{"version from the future", "PUT", ana.Token(), with(`"3"`), good(all...), 409, wire.CodeStaleVersion},
		{"the largest version", "PUT", ana.Token(), with(`"18446744073709551615"`), good(all...), 409, wire.CodeStaleVersion},
		{"another hub's responder writes", "PUT", other.Token(), with(`"2"`), good(all...), 403, wire.CodeForbidden},
		{"another hub's responder reads", "GET", other.Token(), nil, nil, 403, wire.CodeForbidden},
		{"forged token writes", "PUT", base64.RawURLEncoding.EncodeToString(forged), with(`"2"`), good(all...), 401, wire.CodeUnauthorized},
		{"forged token reads", "GET", base64.RawURLEncoding.EncodeToString(forged), nil, nil, 401, wire.CodeUnauthorized},
		{"token after logout writes", "PUT", out.Token(), with(`"2"`), good(all...), 401, wire.CodeUnauthorized},
		{"token after logout reads", "GET", out.Token(), nil, nil, 401, wire.CodeUnauthorized},
		{"If-Match past the header limit", "PUT", ana.Token(), with(`"` + strings.Repeat("1", 64<<10) + `"`), good(all...), 431, ""},
		{"no If-Match, to a subset", "PUT", ana.Token(), ageType, good(all[:1]...), 428, wire.CodeVersionRequired},
	} {
		a := send(t, tc.method, caseURL, tc.token, tc.header, tc.body)
		if a.status != tc.status || a.code != tc.code {
			t.Errorf("%s: %d %q, want %d %q", tc.name, a.status, a.code, tc.status, tc.code)
		}
		if tc.status == 409 && a.etag != `"2"` {
			t.Errorf("%s: ETag %q, want the current version \"2\"", tc.name, a.etag)
		}
	}
	// A key outside the manifest gets no token.
	stranger := newResponder(t, "Stranger")
	if hc, err := bench.NewHubClient(s.direct, 1); err != nil {
		t.Fatal(err)
	} else if err := hc.Login(ctx, stranger.id, stranger.id.Recipient().String()); err == nil || !strings.Contains(err.Error(), "bad_challenge") {
		t.Errorf("a key outside the manifest logging in: %v", err)
	}

	after, v, err := cleo.GetCase(ctx, s.id)
	if err != nil || v != 2 || !bytes.Equal(after, before) {
		t.Fatalf("after the hostile requests the record is at version %d (%v), changed: %t", v, err, !bytes.Equal(after, before))
	}
	for _, r := range []*responder{s.ana, s.bo, s.cleo} {
		if out := r.must(t, s.direct, "show", s.id); !strings.Contains(out, "kept "+s.marker) || strings.Contains(out, "must not be kept") {
			t.Errorf("%s reads:\n%s", r.label, out)
		}
	}

	// An age file to the right responders whose plaintext is no case
	// record: the server cannot tell (it holds no key) and keeps it; the
	// command line says what is wrong and writes nothing over it.
	junk := encryptTo(t, []byte(`{"v":1,"labels":"not a list"}`), all...)
	if _, err := ana.PutCase(ctx, s.id, junk, 2); err != nil {
		t.Fatal(err)
	}
	res := difesaIn(t, s.cleo.pins, "", s.cleo.caseArgs(s.direct, "show", s.id)...)
	if res.code != 1 || !strings.Contains(res.stderr, "open the case record of "+s.id) {
		t.Errorf("show of a record that is no case record: exit %d\n%s", res.code, res.stderr)
	}
	res = difesaIn(t, s.bo.pins, "", s.bo.caseArgs(s.direct, "note", s.id, "over the junk")...)
	if res.code != 1 || !strings.Contains(res.stderr, "open the case record of "+s.id) {
		t.Errorf("note on a record that is no case record: exit %d\n%s", res.code, res.stderr)
	}
	if ct, v, err := cleo.GetCase(ctx, s.id); err != nil || v != 3 || !bytes.Equal(ct, junk) {
		t.Errorf("the command line wrote over a record it could not read: version %d, %v", v, err)
	}
	checkCaseAudit(t, cleo, s.id, map[string]int{"Ana": 2, "Bo": 1})
}

func encryptTo(t *testing.T, plaintext []byte, to ...age.Recipient) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, to...)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plaintext)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
