package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/auth"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// knownCodes are the only error codes the API may answer with.
var knownCodes = map[string]bool{
	wire.CodeBadRequest: true, wire.CodeBadAgeHeader: true, wire.CodeBadArmor: true, wire.CodeBadPayload: true,
	wire.CodeUnauthorized: true, wire.CodeForbidden: true, wire.CodeNotFound: true, wire.CodeMethodNotAllowed: true,
	wire.CodeTooLarge: true, wire.CodeUnsupportedType: true, wire.CodeRecipientMismatch: true, wire.CodeBadChallenge: true,
	wire.CodeTooManyRequests: true, wire.CodeNoThread: true, wire.CodeThreadExists: true, wire.CodeStaleEpoch: true,
	wire.CodeUnknownEpoch: true, wire.CodeBadManifest: true, wire.CodeBadSignature: true, wire.CodeEpochNotNext: true,
	wire.CodeBrokenChain: true, wire.CodeWrongHub: true,
}

// FuzzThreadRequests throws arbitrary conversation requests (method, path,
// token and verifier headers, body) at the real handler over a real store.
// Nothing may panic, answer 500, or answer with an unknown code.
func FuzzThreadRequests(f *testing.F) {
	st, err := store.Open(filepath.Join(f.TempDir(), "db"), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	id, _ := age.GenerateHybridIdentity()
	h, _ := hub.New("demo", "", []string{id.Recipient().String()}, 1<<20, 0)
	authSvc, _ := auth.New(st, nil)
	handler := api.New(api.Options{Store: st, Hubs: hub.NewRegistry(h), Auth: authSvc})

	valid := encrypt(f, []byte("x"), false, id.Recipient())
	tok := strings.Repeat("A", 43)
	f.Add("GET", "/api/v1/hubs/demo/thread", tok, "", []byte(nil))
	f.Add("POST", "/api/v1/hubs/demo/thread/messages", tok, "", valid)
	f.Add("GET", "/api/v1/hubs/demo/thread/messages/aaaaaaaaaaaaaaaaaaaaaaaaaa", tok, "", []byte(nil))
	f.Add("DELETE", "/api/v1/hubs/demo/thread", "", "", []byte(nil))
	f.Add("POST", "/api/v1/hubs/demo/submissions", "", tok, valid)
	f.Add("POST", "/api/v1/hubs/demo/submissions?epoch=0", "", "%%%", valid)
	f.Add("GET", "/api/v1/hubs/demo/threads/..%2f", "", "", []byte(nil))
	f.Fuzz(func(t *testing.T, method, path, token, verifier string, body []byte) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#") {
			return
		}
		switch method {
		case "GET", "POST", "PUT", "DELETE":
		default:
			return
		}
		req, err := http.NewRequest(method, "http://difesa.test"+path, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", wire.MediaTypeAge)
		if token != "" && !strings.ContainsAny(token, "\r\n") {
			req.Header.Set(wire.HeaderThreadToken, token)
		}
		if verifier != "" && !strings.ContainsAny(verifier, "\r\n") {
			req.Header.Set(wire.HeaderThreadVerifier, verifier)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var e wire.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == nil || !knownCodes[e.Error.Code] {
				t.Fatalf("%s %s: %d with body %q", method, path, rec.Code, rec.Body)
			}
		}
	})
}
