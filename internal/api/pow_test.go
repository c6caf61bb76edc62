package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/pow"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

// newPoWServer starts a demo server whose proof of work asks for 8 to 10
// bits (fast to solve in tests) and admits formsPerMinute uploads through
// the form without JavaScript.
func newPoWServer(t *testing.T, formsPerMinute int) *testserver.Server {
	t.Helper()
	cfg := config.Default()
	cfg.PoWMinBits, cfg.PoWMaxBits, cfg.PoWFormsPerMinute = 8, 10, formsPerMinute
	return testserver.NewWithConfig(t, cfg)
}

// overload forces the server's measured load far past its thresholds.
func overload(srv *testserver.Server) {
	srv.Instance.PoW.SetLoad(func() pow.Load { return pow.Load{InFlight: 1 << 20} })
}

// powAsked checks that r refuses with code and a challenge, and returns
// the challenge.
func powAsked(t *testing.T, r response, code string) wire.PoW {
	t.Helper()
	var body wire.ErrorBody
	json.Unmarshal(r.body, &body)
	if r.status != http.StatusTooManyRequests || r.code() != code || body.PoW == nil || body.PoW.Challenge == "" {
		t.Fatalf("want 429 %s with a challenge, got %d %s", code, r.status, r.body)
	}
	if ra := r.header.Get("Retry-After"); ra != "1" {
		t.Errorf("Retry-After %q with %s", ra, code)
	}
	c, err := pow.ParseChallenge(body.PoW.Challenge)
	if err != nil || c.Bits != body.PoW.Difficulty || c.Hub != "demo" || body.PoW.ExpiresIn != 120 {
		t.Fatalf("challenge %+v: %v", body.PoW, err)
	}
	return *body.PoW
}

func solve(t *testing.T, p wire.PoW) string {
	t.Helper()
	nonce, err := pow.Solve(context.Background(), p.Challenge, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p.Challenge + " " + nonce
}

func TestPoWOnlyUnderLoad(t *testing.T) {
	t.Parallel()
	srv := newPoWServer(t, 6)
	base := srv.URL + "/api/v1/hubs/demo"
	hubR := loadIdentity(t, srv.IdentityFile).Recipient()
	report := func() []byte { return encrypt(t, []byte("a report"), false, hubR) }

	// Idle: no work, no challenge, uploads go through.
	if r := do(t, "GET", base+"/pow", "", "", nil); r.status != 200 || strings.TrimSpace(string(r.body)) != `{"difficulty":0}` {
		t.Fatalf("GET pow while idle: %d %s", r.status, r.body)
	}
	if r := do(t, "POST", base+"/submissions", wire.MediaTypeAge, "", bytes.NewReader(report())); r.status != 201 {
		t.Fatalf("upload while idle: %d %s", r.status, r.body)
	}

	overload(srv)
	r := do(t, "GET", base+"/pow", "", "", nil)
	var offered wire.PoW
	json.Unmarshal(r.body, &offered)
	if r.status != 200 || offered.Difficulty != 10 || offered.Challenge == "" || offered.ExpiresIn != 120 {
		t.Fatalf("GET pow under load: %d %s", r.status, r.body)
	}

	// Without a solution: refused with a challenge; with one: accepted.
	asked := powAsked(t, do(t, "POST", base+"/submissions", wire.MediaTypeAge, "", bytes.NewReader(report())), wire.CodePoWRequired)
	proof := solve(t, asked)
	withProof := map[string]string{wire.HeaderPoW: proof}
	if r := doH(t, "POST", base+"/submissions?kind=alert", wire.MediaTypeAge, withProof, report()); r.status != 201 {
		t.Fatalf("upload with a solution: %d %s", r.status, r.body)
	}
	// Once only.
	powAsked(t, doH(t, "POST", base+"/submissions", wire.MediaTypeAge, withProof, report()), wire.CodePoWInvalid)
	// The challenge from GET …/pow works as well.
	if r := doH(t, "POST", base+"/submissions", wire.MediaTypeAge, map[string]string{wire.HeaderPoW: solve(t, offered)}, report()); r.status != 201 {
		t.Fatalf("upload with a solution of GET pow's challenge: %d %s", r.status, r.body)
	}

	// Broken proofs of every kind: refused, each with a fresh challenge.
	fresh := powAsked(t, do(t, "POST", base+"/submissions", wire.MediaTypeAge, "", bytes.NewReader(report())), wire.CodePoWRequired)
	good := solve(t, fresh)
	ch, nonce, _ := strings.Cut(good, " ")
	for _, c := range []struct{ name, proof string }{
		{"garbage", "hello"},
		{"no nonce", ch},
		{"wrong nonce", ch + " " + strings.Repeat("f", 16)},
		{"oversized", good + strings.Repeat("0", 4096)},
		{"difficulty down", strings.Replace(ch, ".10.", ".8.", 1) + " " + nonce},
		{"another hub", strings.Replace(ch, "v1.demo.", "v1.other.", 1) + " " + nonce},
	} {
		t.Run(c.name, func(t *testing.T) {
			powAsked(t, doH(t, "POST", base+"/submissions", wire.MediaTypeAge, map[string]string{wire.HeaderPoW: c.proof}, report()), wire.CodePoWInvalid)
		})
	}
	// Two headers, even if one is good, are one too many.
	req, _ := http.NewRequest("POST", base+"/submissions", bytes.NewReader(report()))
	req.Header.Set("Content-Type", wire.MediaTypeAge)
	req.Header.Add(wire.HeaderPoW, good)
	req.Header.Add(wire.HeaderPoW, good)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 {
		t.Errorf("two %s headers: %d", wire.HeaderPoW, resp.StatusCode)
	}
	// The good one was not spent by the refusal.
	if r := doH(t, "POST", base+"/submissions", wire.MediaTypeAge, map[string]string{wire.HeaderPoW: good}, report()); r.status != 201 {
		t.Fatalf("good proof after the refusals: %d %s", r.status, r.body)
	}

	// Back to normal: no work asked.
	srv.Instance.PoW.SetLoad(nil)
	if r := do(t, "POST", base+"/submissions", wire.MediaTypeAge, "", bytes.NewReader(report())); r.status != 201 {
		t.Fatalf("upload once the load is gone: %d %s", r.status, r.body)
	}
}

// Follow-ups and armed check-ins pay as new reports do; check-ins, stops
// and the duress code never do, and answer alike.
func TestPoWRoutes(t *testing.T) {
	t.Parallel()
	srv := newPoWServer(t, 6)
	base := srv.URL + "/api/v1/hubs/demo"
	hubR := loadIdentity(t, srv.IdentityFile).Recipient()
	k := newThreadKeys(t)
	if r := doH(t, "POST", base+"/submissions", wire.MediaTypeAge, map[string]string{wire.HeaderThreadVerifier: k.verifier},
		encrypt(t, []byte("first"), false, hubR)); r.status != 201 {
		t.Fatalf("opening report: %d %s", r.status, r.body)
	}
	code, _ := codename.Generate()
	duress, _ := codename.Generate()
	enc := func(s string) string { v := api.CheckinVerifier(s); return base64.RawURLEncoding.EncodeToString(v[:]) }
	arm := map[string]string{wire.HeaderCheckinVerifier: enc(code.String()), wire.HeaderDuressVerifier: enc(duress.String())}
	instructions := encrypt(t, []byte("call my lawyer"), false, hubR)
	if r := doH(t, "POST", base+"/checkins?every=24h", wire.MediaTypeAge, arm, instructions); r.status != 201 {
		t.Fatalf("arm while idle: %d %s", r.status, r.body)
	}

	overload(srv)
	followup := map[string]string{wire.HeaderThreadToken: k.token}
	asked := powAsked(t, doH(t, "POST", base+"/thread/messages", wire.MediaTypeAge, followup, encrypt(t, []byte("more"), false, hubR)), wire.CodePoWRequired)
	followup[wire.HeaderPoW] = solve(t, asked)
	if r := doH(t, "POST", base+"/thread/messages", wire.MediaTypeAge, followup, encrypt(t, []byte("more"), false, hubR)); r.status != 201 {
		t.Fatalf("follow-up with a solution: %d %s", r.status, r.body)
	}

	code2, _ := codename.Generate()
	arm2 := map[string]string{wire.HeaderCheckinVerifier: enc(code2.String()), wire.HeaderDuressVerifier: enc(duress.String() + "2")}
	powAsked(t, doH(t, "POST", base+"/checkins?every=24h", wire.MediaTypeAge, arm2, instructions), wire.CodePoWRequired)

	var answers [2]response
	for i, c := range []string{code.String(), duress.String()} {
		answers[i] = doH(t, "POST", base+"/checkin", "application/json", nil, []byte(`{"code":"`+c+`"}`))
		if answers[i].status != 200 {
			t.Fatalf("check-in %d under load: %d %s", i, answers[i].status, answers[i].body)
		}
	}
	if !bytes.Equal(answers[0].body, answers[1].body) {
		t.Errorf("duress answered differently under load:\n%s\n%s", answers[0].body, answers[1].body)
	}
	if r := doH(t, "POST", base+"/checkin/stop", "application/json", nil, []byte(`{"code":"`+code.String()+`"}`)); r.status != 204 {
		t.Fatalf("stop under load: %d %s", r.status, r.body)
	}
}

// The refusal comes before the body is read: a client that asks for
// 100-continue gets the 429 without sending a byte of its body.
func TestPoWBeforeTheBody(t *testing.T) {
	t.Parallel()
	srv := newPoWServer(t, 6)
	overload(srv)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/hubs/demo/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n", wire.MediaTypeAge)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 429 || !resp.Close {
		t.Fatalf("got %d (close %v), want 429 and the connection closed", resp.StatusCode, resp.Close)
	}
}

// postForm uploads content through the page's form without JavaScript.
func postForm(t *testing.T, hubURL string, content []byte) response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("kind", "report")
	fw, _ := mw.CreateFormFile("file", "report.age")
	fw.Write(content)
	mw.Close()
	return do(t, "POST", hubURL+"/upload?"+url.Values{"lang": {"en"}}.Encode(), mw.FormDataContentType(), "", &buf)
}

// The form without JavaScript cannot do the work: under load it is
// admitted at the reserved rate, then gets a page saying when to return.
// A request from outside cannot pass for the form.
func TestPoWFormWithoutJavaScript(t *testing.T) {
	t.Parallel()
	srv := newPoWServer(t, 2)
	hubR := loadIdentity(t, srv.IdentityFile).Recipient()
	overload(srv)
	for i := range 2 {
		if r := postForm(t, srv.HubURL, encrypt(t, []byte("offline report"), false, hubR)); r.status != 201 || !strings.Contains(string(r.body), "Received") {
			t.Fatalf("form upload %d within the reserved rate: %d %s", i, r.status, r.body)
		}
	}
	r := postForm(t, srv.HubURL, encrypt(t, []byte("offline report"), false, hubR))
	if r.status != 429 || !strings.Contains(string(r.body), "Try again in about 1 min.") || r.header.Get("Retry-After") != "30" ||
		!strings.Contains(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("form upload beyond the reserved rate: %d %v %s", r.status, r.header, r.body)
	}
	// Headers are no way in: the mark is a context value.
	for _, h := range []string{"X-Difesa-Form", "Difesa-Form", "Sec-Fetch-Mode"} {
		r := doH(t, "POST", srv.URL+"/api/v1/hubs/demo/submissions", wire.MediaTypeAge, map[string]string{h: "navigate"}, encrypt(t, []byte("x"), false, hubR))
		powAsked(t, r, wire.CodePoWRequired)
	}
}
