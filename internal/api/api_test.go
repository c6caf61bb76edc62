package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

func TestHealthAndRecipients(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	if r := do(t, "GET", srv.URL+"/healthz", "", "", nil); r.status != 200 || !strings.Contains(string(r.body), "ok") {
		t.Fatalf("healthz: %d %s", r.status, r.body)
	}
	r := do(t, "GET", srv.HubURL+"/recipients.txt", "", "", nil)
	if r.status != 200 {
		t.Fatalf("recipients.txt: %d", r.status)
	}
	recips, err := age.ParseRecipients(bytes.NewReader(r.body))
	if err != nil || len(recips) != 1 {
		t.Fatalf("recipients.txt does not parse as an age recipients file: %v", err)
	}
	id := loadIdentity(t, srv.IdentityFile)
	if recips[0].(*age.HybridRecipient).String() != id.Recipient().String() {
		t.Fatal("recipients.txt is not the demo identity's recipient")
	}
	if r := do(t, "GET", srv.URL+"/hubs/nope/recipients.txt", "", "", nil); r.status != 404 || r.code() != wire.CodeNotFound {
		t.Fatalf("unknown hub: %d %s", r.status, r.body)
	}
	for _, h := range []string{"Server", "X-Powered-By"} {
		if v := r.header.Get(h); v != "" {
			t.Errorf("%s header sent: %q", h, v)
		}
	}
}

func TestSubmitBadInput(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	hubKey, _ := age.GenerateHybridIdentity()
	small := testserver.NewHub(t, "small", hubKey.Recipient().String()).Config
	small.MaxSubmissionSize = 4096
	cfg.Hubs = []config.Hub{small}
	srv := testserver.NewWithConfig(t, cfg)
	api := srv.URL + "/api/v1/hubs/small"
	hubR := hubKey.Recipient()

	stranger, _ := age.GenerateHybridIdentity()
	classic, _ := age.GenerateX25519Identity()
	scrypt, _ := age.NewScryptRecipient("passphrase")
	scrypt.SetWorkFactor(10)
	valid := encrypt(t, []byte("a report"), false, hubR)
	// Cut into the last chunk's tag: no age file can end like that. (Cutting
	// one byte would leave a possible, shorter file: only a key can tell.)
	truncated := valid[:len(valid)-10]
	armored := encrypt(t, []byte("a report"), true, hubR)
	badArmor := bytes.Replace(armored, []byte("-----END AGE ENCRYPTED FILE-----"), []byte("-----END AGE ENCRYPTED FILE----"), 1)

	tests := []struct {
		name        string
		url         string
		contentType string
		body        []byte
		status      int
		code        string
	}{
		{"binary", api + "/submissions", wire.MediaTypeAge, valid, 201, ""},
		{"armored", api + "/submissions", "text/plain", armored, 201, ""},
		{"octet-stream", api + "/submissions?kind=report", "application/octet-stream", valid, 201, ""},
		{"empty body", api + "/submissions", wire.MediaTypeAge, nil, 400, wire.CodeBadAgeHeader},
		{"plaintext", api + "/submissions", wire.MediaTypeAge, []byte("I was threatened yesterday"), 400, wire.CodeBadAgeHeader},
		{"no content type", api + "/submissions", "", valid, 415, wire.CodeUnsupportedType},
		{"form content type", api + "/submissions", "application/x-www-form-urlencoded", valid, 415, wire.CodeUnsupportedType},
		{"malformed content type", api + "/submissions", "application/;;", valid, 415, wire.CodeUnsupportedType},
		// age stanzas do not name their recipient, so a file for another
		// key of the same type is indistinguishable without a key: it is
		// stored, and no responder can open it. docs/age-validation.md.
		{"stranger's key of the same type", api + "/submissions", wire.MediaTypeAge, encrypt(t, []byte("x"), false, stranger.Recipient()), 201, ""},
		{"extra recipient", api + "/submissions", wire.MediaTypeAge, encrypt(t, []byte("x"), false, hubR, stranger.Recipient()), 422, wire.CodeRecipientMismatch},
		{"classic stanza to a pq hub", api + "/submissions", wire.MediaTypeAge, encrypt(t, []byte("x"), false, classic.Recipient()), 422, wire.CodeRecipientMismatch},
		{"passphrase", api + "/submissions", wire.MediaTypeAge, encrypt(t, []byte("x"), false, scrypt), 422, wire.CodeRecipientMismatch},
		{"truncated payload", api + "/submissions", wire.MediaTypeAge, truncated, 400, wire.CodeBadPayload},
		{"header only", api + "/submissions", wire.MediaTypeAge, valid[:bytes.Index(valid, []byte("\n---"))+48], 400, ""},
		{"bad armor", api + "/submissions", "text/plain", badArmor, 400, wire.CodeBadArmor},
		{"too large", api + "/submissions", wire.MediaTypeAge, encrypt(t, make([]byte, 5000), false, hubR), 413, wire.CodeTooLarge},
		{"too large armored", api + "/submissions", "text/plain", encrypt(t, make([]byte, 5000), true, hubR), 413, wire.CodeTooLarge},
		{"unknown kind", api + "/submissions?kind=poem", wire.MediaTypeAge, valid, 400, wire.CodeBadRequest},
		{"unknown hub", srv.URL + "/api/v1/hubs/other/submissions", wire.MediaTypeAge, valid, 404, wire.CodeNotFound},
		{"hostile hub id", srv.URL + "/api/v1/hubs/..%2f..%2fetc/submissions", wire.MediaTypeAge, valid, 404, wire.CodeNotFound},
		{"GET on submit", api + "/submissions", "", nil, 401, wire.CodeUnauthorized},
		{"wrong method", api + "/submissions", wire.MediaTypeAge, nil, 405, wire.CodeMethodNotAllowed},
	}
	accepted := 0
	for _, tt := range tests {
		method := "POST"
		switch tt.name {
		case "GET on submit":
			method = "GET"
		case "wrong method":
			method = "PATCH"
		}
		r := do(t, method, tt.url, tt.contentType, "", bytes.NewReader(tt.body))
		if r.status != tt.status || (tt.code != "" && r.code() != tt.code) {
			t.Errorf("%s: got %d %s, want %d %s", tt.name, r.status, r.body, tt.status, tt.code)
			continue
		}
		if r.status == 201 {
			accepted++
			var c wire.SubmissionCreated
			if err := json.Unmarshal(r.body, &c); err != nil || len(c.ID) != 26 || c.Size < 200 {
				t.Errorf("%s: bad 201 body %s", tt.name, r.body)
			}
		} else if r.code() == "" {
			t.Errorf("%s: error answer without a code: %s", tt.name, r.body)
		}
	}

	// Nothing that was refused was kept.
	token := login(t, api, hubKey)
	var list wire.SubmissionList
	json.Unmarshal(do(t, "GET", api+"/submissions", "", token, nil).body, &list)
	if len(list.Submissions) != accepted {
		t.Fatalf("%d submissions stored, %d accepted", len(list.Submissions), accepted)
	}
	if err := srv.Instance.Store.Verify(); err != nil {
		t.Fatalf("store after bad input: %v", err)
	}
}

func TestResponderFlow(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	api := srv.URL + "/api/v1/hubs/demo"
	id := loadIdentity(t, srv.IdentityFile)
	plaintext := []byte("the police came at dawn")
	file := encrypt(t, plaintext, false, id.Recipient())
	r := do(t, "POST", api+"/submissions", wire.MediaTypeAge, "", bytes.NewReader(file))
	if r.status != 201 {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	var created wire.SubmissionCreated
	json.Unmarshal(r.body, &created)

	token := login(t, api, id)
	var list wire.SubmissionList
	r = do(t, "GET", api+"/submissions", "", token, nil)
	json.Unmarshal(r.body, &list)
	if len(list.Submissions) != 1 {
		t.Fatalf("list: %s", r.body)
	}
	got := list.Submissions[0]
	if got.ID != created.ID || got.Kind != "report" || got.Status != "new" || got.Size != int64(len(file)) || !strings.HasSuffix(got.Received, ":00:00Z") {
		t.Fatalf("listed %+v", got)
	}

	r = do(t, "GET", api+"/submissions/"+created.ID, "", token, nil)
	if r.status != 200 || r.header.Get("Content-Type") != wire.MediaTypeAge || !bytes.Equal(r.body, file) {
		t.Fatalf("download: %d %s, %d bytes", r.status, r.header.Get("Content-Type"), len(r.body))
	}
	pt, err := age.Decrypt(bytes.NewReader(r.body), id)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(pt); !bytes.Equal(b, plaintext) {
		t.Fatal("decrypted download differs")
	}

	statusURL := api + "/submissions/" + created.ID + "/status"
	for _, tt := range []struct {
		name, url, ct, body string
		status              int
	}{
		{"set in progress", statusURL, "application/json", `{"status":"in_progress"}`, 204},
		{"unknown status", statusURL, "application/json", `{"status":"done"}`, 400},
		{"unknown field", statusURL, "application/json", `{"status":"closed","x":1}`, 400},
		{"trailing data", statusURL, "application/json", `{"status":"closed"}{}`, 400},
		{"not json", statusURL, "application/json", `status=closed`, 400},
		{"xml", statusURL, "application/xml", `<status/>`, 415},
		{"huge", statusURL, "application/json", `{"status":"` + strings.Repeat("a", 70000) + `"}`, 413},
		{"unknown id", api + "/submissions/aaaaaaaaaaaaaaaaaaaaaaaaaa/status", "application/json", `{"status":"closed"}`, 404},
		{"malformed id", api + "/submissions/..%2f/status", "application/json", `{"status":"closed"}`, 400},
	} {
		if r := do(t, "PUT", tt.url, tt.ct, token, strings.NewReader(tt.body)); r.status != tt.status {
			t.Errorf("%s: %d %s", tt.name, r.status, r.body)
		}
	}
	json.Unmarshal(do(t, "GET", api+"/submissions", "", token, nil).body, &list)
	if list.Submissions[0].Status != "in_progress" {
		t.Fatalf("status not kept: %+v", list.Submissions[0])
	}

	if r := do(t, "DELETE", api+"/submissions/"+created.ID, "", token, nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", api+"/submissions/"+created.ID, "", token, nil); r.status != 404 {
		t.Fatalf("download after delete: %d", r.status)
	}
	if r := do(t, "DELETE", api+"/submissions/"+created.ID, "", token, nil); r.status != 404 {
		t.Fatalf("second delete: %d", r.status)
	}

	if r := do(t, "POST", api+"/auth/logout", "", token, nil); r.status != 204 {
		t.Fatalf("logout: %d", r.status)
	}
	if r := do(t, "GET", api+"/submissions", "", token, nil); r.status != 401 {
		t.Fatalf("token alive after logout: %d", r.status)
	}
}

func TestLoginAttacks(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	keyA, _ := age.GenerateHybridIdentity()
	keyB, _ := age.GenerateHybridIdentity()
	cfg.Hubs = []config.Hub{
		testserver.NewHub(t, "hub-a", keyA.Recipient().String()).Config,
		testserver.NewHub(t, "hub-b", keyB.Recipient().String()).Config,
	}
	srv := testserver.NewWithConfig(t, cfg)
	apiA, apiB := srv.URL+"/api/v1/hubs/hub-a", srv.URL+"/api/v1/hubs/hub-b"

	// A recipient that is not the hub's gets no challenge.
	if r := postJSON(t, apiA+"/auth/challenge", "", wire.ChallengeRequest{Recipient: keyB.Recipient().String()}); r.status != 422 || r.code() != wire.CodeBadChallenge {
		t.Fatalf("foreign recipient: %d %s", r.status, r.body)
	}
	// A wrong answer burns the challenge.
	r := postJSON(t, apiA+"/auth/challenge", "", wire.ChallengeRequest{Recipient: keyA.Recipient().String()})
	var ch wire.Challenge
	json.Unmarshal(r.body, &ch)
	if r := postJSON(t, apiA+"/auth/token", "", wire.TokenRequest{ID: ch.ID, Response: "AAAA"}); r.status != 422 {
		t.Fatalf("wrong answer: %d", r.status)
	}
	if r := postJSON(t, apiA+"/auth/token", "", wire.TokenRequest{ID: "nope", Response: ""}); r.status != 422 {
		t.Fatalf("unknown challenge: %d", r.status)
	}
	if r := do(t, "POST", apiA+"/auth/token", "application/json", "", strings.NewReader("{")); r.status != 400 {
		t.Fatalf("malformed token request: %d", r.status)
	}

	tokenA := login(t, apiA, keyA)
	for _, tt := range []struct {
		name, url, token string
		status           int
	}{
		{"no token", apiA + "/submissions", "", 401},
		{"garbage token", apiA + "/submissions", "garbage", 401},
		{"well-formed unknown token", apiA + "/submissions", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 401},
		{"hub A token on hub B", apiB + "/submissions", tokenA, 403},
		{"hub A token on hub A", apiA + "/submissions", tokenA, 200},
	} {
		if r := do(t, "GET", tt.url, "", tt.token, nil); r.status != tt.status {
			t.Errorf("%s: %d %s", tt.name, r.status, r.body)
		}
	}
	// Answering a challenge of hub A at hub B fails.
	r = postJSON(t, apiA+"/auth/challenge", "", wire.ChallengeRequest{Recipient: keyA.Recipient().String()})
	json.Unmarshal(r.body, &ch)
	if r := postJSON(t, apiB+"/auth/token", "", wire.TokenRequest{ID: ch.ID, Response: "x"}); r.status != 422 {
		t.Fatalf("cross-hub redeem: %d", r.status)
	}
}
