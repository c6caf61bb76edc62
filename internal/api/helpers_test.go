package api_test

import (
	"bytes"
	"difesa.org/difesa/internal/testserver"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"

	"difesa.org/difesa/internal/wire"
)

// encrypt returns an age file of plaintext for recipients, armored or not.
// encrypt and loadIdentity are the shared test helpers.
var encrypt = testserver.Encrypt

var loadIdentity = testserver.LoadIdentity

type response struct {
	status int
	header http.Header
	body   []byte
}

// code returns the stable error code of an error answer, or "".
func (r response) code() string {
	var e wire.ErrorBody
	if json.Unmarshal(r.body, &e) != nil || e.Error == nil {
		return ""
	}
	return e.Error.Code
}

func do(t testing.TB, method, url, contentType, token string, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

func postJSON(t testing.TB, url, token string, v any) response {
	t.Helper()
	b, _ := json.Marshal(v)
	return do(t, "POST", url, "application/json", token, bytes.NewReader(b))
}

// login performs the challenge/response flow with id and returns a token.
func login(t testing.TB, api string, id *age.HybridIdentity) string {
	t.Helper()
	r := postJSON(t, api+"/auth/challenge", "", wire.ChallengeRequest{Recipient: id.Recipient().String()})
	if r.status != 200 {
		t.Fatalf("challenge: %d %s", r.status, r.body)
	}
	var ch wire.Challenge
	json.Unmarshal(r.body, &ch)
	pt, err := age.Decrypt(armor.NewReader(strings.NewReader(ch.Ciphertext)), id)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := io.ReadAll(pt)
	r = postJSON(t, api+"/auth/token", "", wire.TokenRequest{ID: ch.ID, Response: base64.RawURLEncoding.EncodeToString(secret)})
	if r.status != 200 {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	var tok wire.Token
	json.Unmarshal(r.body, &tok)
	return tok.Token
}
