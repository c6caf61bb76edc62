package web_test

import (
	"bytes"
	"difesa.org/difesa/internal/testserver"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/wire"
)

type response struct {
	status int
	header http.Header
	body   string
}

func get(t testing.TB, url string, header ...string) response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return send(t, req)
}

func send(t testing.TB, req *http.Request) response {
	t.Helper()
	resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gzip
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}
}

// postFile uploads content as the form's file part, with the kind field
// before it, as a browser sends the upload page's form.
func postFile(t testing.TB, url, kind string, content []byte) response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("file", "report.age")
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", url, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return send(t, req)
}

var loadIdentity = testserver.LoadIdentity

// encrypt and loadIdentity are the shared test helpers.
var encrypt = testserver.Encrypt

// responder logs in to the hub's API with id, as a responder's client does.
type responder struct {
	t     testing.TB
	api   string
	id    *age.HybridIdentity
	token string
}

func login(t testing.TB, api string, id *age.HybridIdentity) *responder {
	t.Helper()
	r := &responder{t: t, api: api, id: id}
	var ch wire.Challenge
	r.json("POST", "/auth/challenge", wire.ChallengeRequest{Recipient: id.Recipient().String()}, &ch)
	pt, err := age.Decrypt(armor.NewReader(strings.NewReader(ch.Ciphertext)), id)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := io.ReadAll(pt)
	var tok wire.Token
	r.json("POST", "/auth/token", wire.TokenRequest{ID: ch.ID, Response: base64.RawURLEncoding.EncodeToString(secret)}, &tok)
	r.token = tok.Token
	return r
}

func (r *responder) do(method, path, contentType string, body []byte) response {
	r.t.Helper()
	req, _ := http.NewRequest(method, r.api+path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	return send(r.t, req)
}

func (r *responder) json(method, path string, in, out any) {
	r.t.Helper()
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	resp := r.do(method, path, "application/json", body)
	if resp.status >= 300 {
		r.t.Fatalf("%s %s: %d %s", method, path, resp.status, resp.body)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(resp.body), out); err != nil {
			r.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// submissions lists the hub's submissions, newest first.
func (r *responder) submissions() []wire.Submission {
	var l wire.SubmissionList
	r.json("GET", "/submissions", nil, &l)
	return l.Submissions
}

// open downloads and decrypts a submission and reads it as a bundle.
func (r *responder) open(id string) (*bundle.Opened, map[string][]byte) {
	r.t.Helper()
	resp := r.do("GET", "/submissions/"+id, "", nil)
	if resp.status != 200 {
		r.t.Fatalf("download %s: %d", id, resp.status)
	}
	pt, err := age.Decrypt(strings.NewReader(resp.body), r.id)
	if err != nil {
		r.t.Fatalf("decrypt %s: %v", id, err)
	}
	files := map[string][]byte{}
	o, err := bundle.Read(pt, bundle.Limits{}, func(name string, _ int64, rd io.Reader) error {
		b, err := io.ReadAll(rd)
		files[name] = b
		return err
	})
	if err != nil {
		r.t.Fatalf("bundle.Read %s: %v", id, err)
	}
	return o, files
}

func timeNow() time.Time { return time.Now() }

// checkinVerifier is what the hub keeps of a check-in code.
var checkinVerifier = api.CheckinVerifier
