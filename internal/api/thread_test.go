package api_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/auth"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/ratelimit"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

// threadKeys stands in for what a codename derives: a token, its verifier
// and a reply identity.
type threadKeys struct {
	token, verifier string
	reply           *age.HybridIdentity
}

func newThreadKeys(t *testing.T) threadKeys {
	t.Helper()
	tok := make([]byte, 32)
	rand.Read(tok)
	v := sha256.Sum256(append([]byte("difesa thread verifier v1"), tok...))
	id, _ := age.GenerateHybridIdentity()
	enc := base64.RawURLEncoding.EncodeToString
	return threadKeys{token: enc(tok), verifier: enc(v[:]), reply: id}
}

// doH is do with extra headers.
func doH(t *testing.T, method, url, contentType string, headers map[string]string, body []byte) response {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return response{resp.StatusCode, resp.Header, buf.Bytes()}
}

func TestConversation(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	api := srv.URL + "/api/v1/hubs/demo"
	responder := loadIdentity(t, srv.IdentityFile)
	hubR := responder.Recipient()
	k := newThreadKeys(t)
	asDefender := map[string]string{wire.HeaderThreadToken: k.token}

	// The first report opens the conversation.
	r := doH(t, "POST", api+"/submissions", wire.MediaTypeAge, map[string]string{wire.HeaderThreadVerifier: k.verifier},
		encrypt(t, []byte("first report"), false, hubR))
	if r.status != 201 {
		t.Fatalf("opening report: %d %s", r.status, r.body)
	}
	var first wire.SubmissionCreated
	json.Unmarshal(r.body, &first)
	if r := doH(t, "POST", api+"/submissions", wire.MediaTypeAge, map[string]string{wire.HeaderThreadVerifier: k.verifier},
		encrypt(t, []byte("again"), false, hubR)); r.status != 409 || r.code() != wire.CodeThreadExists {
		t.Fatalf("second opening with the same codename: %d %s", r.status, r.body)
	}
	if r := doH(t, "POST", api+"/submissions", wire.MediaTypeAge, map[string]string{wire.HeaderThreadVerifier: "short"},
		encrypt(t, []byte("x"), false, hubR)); r.status != 400 {
		t.Fatalf("malformed verifier: %d", r.status)
	}

	// A responder replies to the defender and the hub.
	token := login(t, api, responder)
	bearer := map[string]string{"Authorization": "Bearer " + token}
	reply := encrypt(t, []byte("we got it"), false, hubR, k.reply.Recipient())
	for _, tt := range []struct {
		name   string
		body   []byte
		status int
	}{
		{"to the hub only", encrypt(t, []byte("x"), false, hubR), 422},
		{"two extra keys", encrypt(t, []byte("x"), false, hubR, k.reply.Recipient(), k.reply.Recipient()), 422},
		{"to the hub and the defender", reply, 201},
	} {
		if r := doH(t, "POST", api+"/threads/"+first.ID+"/replies", wire.MediaTypeAge, bearer, tt.body); r.status != tt.status {
			t.Errorf("reply %s: %d %s", tt.name, r.status, r.body)
		}
	}
	if r := doH(t, "POST", api+"/threads/"+first.ID+"/replies", wire.MediaTypeAge, nil, reply); r.status != 401 {
		t.Fatalf("reply without a token: %d", r.status)
	}

	// The defender reads the conversation and decrypts the reply.
	r = doH(t, "GET", api+"/thread", "", asDefender, nil)
	var th wire.Thread
	json.Unmarshal(r.body, &th)
	if r.status != 200 || th.ID != first.ID || len(th.Messages) != 2 || th.Messages[1].Kind != wire.KindReply {
		t.Fatalf("thread: %d %s", r.status, r.body)
	}
	r = doH(t, "GET", api+"/thread/messages/"+th.Messages[1].ID, "", asDefender, nil)
	pt, err := age.Decrypt(bytes.NewReader(r.body), k.reply)
	if err != nil {
		t.Fatalf("defender cannot decrypt the reply: %v", err)
	}
	if b, _ := io.ReadAll(pt); string(b) != "we got it" {
		t.Fatalf("reply: %q", b)
	}

	// A follow-up goes to the hub's recipients only.
	if r := doH(t, "POST", api+"/thread/messages", wire.MediaTypeAge, asDefender, encrypt(t, []byte("more"), false, hubR)); r.status != 201 {
		t.Fatalf("follow-up: %d %s", r.status, r.body)
	}
	r = doH(t, "GET", api+"/threads/"+first.ID, "", bearer, nil)
	json.Unmarshal(r.body, &th)
	if len(th.Messages) != 3 || th.Messages[2].Kind != wire.KindFollowup || th.Messages[2].Seq != 2 {
		t.Fatalf("responder's view: %s", r.body)
	}

	// Wrong, malformed and foreign codenames get nothing.
	other := newThreadKeys(t)
	otherFirst := doH(t, "POST", api+"/submissions", wire.MediaTypeAge, map[string]string{wire.HeaderThreadVerifier: other.verifier},
		encrypt(t, []byte("someone else"), false, hubR))
	var of wire.SubmissionCreated
	json.Unmarshal(otherFirst.body, &of)
	for name, h := range map[string]map[string]string{
		"unknown token":   {wire.HeaderThreadToken: newThreadKeys(t).token},
		"malformed token": {wire.HeaderThreadToken: "not base64!"},
		"no token":        {},
		"the verifier":    {wire.HeaderThreadToken: k.verifier},
	} {
		if r := doH(t, "GET", api+"/thread", "", h, nil); r.status != 404 || r.code() != wire.CodeNoThread {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	if r := doH(t, "GET", api+"/thread/messages/"+of.ID, "", asDefender, nil); r.status != 404 {
		t.Fatalf("a message of another conversation: %d", r.status)
	}
	if r := doH(t, "GET", srv.URL+"/api/v1/hubs/nope/thread", "", asDefender, nil); r.status != 404 {
		t.Fatalf("another hub: %d", r.status)
	}

	// The defender deletes the conversation: all of it, in one go.
	if r := doH(t, "DELETE", api+"/thread", "", asDefender, nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := doH(t, "GET", api+"/thread", "", asDefender, nil); r.status != 404 {
		t.Fatalf("thread after delete: %d", r.status)
	}
	var list wire.SubmissionList
	json.Unmarshal(doH(t, "GET", api+"/submissions", "", bearer, nil).body, &list)
	if len(list.Submissions) != 1 || list.Submissions[0].ID != of.ID {
		t.Fatalf("after delete: %+v", list.Submissions)
	}
	// A responder can delete a conversation too.
	if r := doH(t, "DELETE", api+"/threads/"+of.ID, "", bearer, nil); r.status != 204 {
		t.Fatalf("responder delete: %d", r.status)
	}
	if err := srv.Instance.Store.Verify(); err != nil {
		t.Fatal(err)
	}
}

func TestCodenameLookupsAreLimited(t *testing.T) {
	t.Parallel()
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, _ := age.GenerateHybridIdentity()
	a, _ := hub.New("a", "", []string{id.Recipient().String()}, 0, 0)
	b, _ := hub.New("b", "", []string{id.Recipient().String()}, 0, 0)
	authSvc, _ := auth.New(st, nil)
	now := time.Unix(1_000_000, 0)
	clock := func() time.Time { return now }
	srv := httptest.NewServer(api.New(api.Options{
		Store: st, Hubs: hub.NewRegistry(a, b), Auth: authSvc, Now: clock,
		CodenameLimit: ratelimit.NewLimiter(100, 6, 0.5, 3, clock),
	}))
	defer srv.Close()
	guess := func(hubID string) response {
		return doH(t, "GET", srv.URL+"/api/v1/hubs/"+hubID+"/thread", "", map[string]string{wire.HeaderThreadToken: newThreadKeys(t).token}, nil)
	}
	for i := 0; i < 3; i++ {
		if r := guess("a"); r.status != 404 {
			t.Fatalf("guess %d: %d", i, r.status)
		}
	}
	r := guess("a")
	if r.status != 429 || r.code() != wire.CodeTooManyRequests {
		t.Fatalf("fourth guess: %d %s", r.status, r.body)
	}
	if ra, _ := strconv.Atoi(r.header.Get("Retry-After")); ra != 2 {
		t.Fatalf("Retry-After %q, want 2", r.header.Get("Retry-After"))
	}
	if r := guess("b"); r.status != 404 {
		t.Fatalf("hub b limited by hub a: %d", r.status)
	}
	now = now.Add(2 * time.Second)
	if r := guess("a"); r.status != 404 {
		t.Fatalf("after waiting: %d", r.status)
	}
}

// Opening a conversation with a codename already taken answers 409
// thread_exists: that tells a guesser the codename exists, so openings
// count against the codename limits like lookups do.
func TestOpeningsWithTakenCodenamesAreLimited(t *testing.T) {
	t.Parallel()
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, _ := age.GenerateHybridIdentity()
	a, _ := hub.New("a", "", []string{id.Recipient().String()}, 0, 0)
	authSvc, _ := auth.New(st, nil)
	now := time.Unix(1_000_000, 0)
	clock := func() time.Time { return now }
	srv := httptest.NewServer(api.New(api.Options{
		Store: st, Hubs: hub.NewRegistry(a), Auth: authSvc, Now: clock,
		CodenameLimit: ratelimit.NewLimiter(100, 6, 0.5, 3, clock),
	}))
	defer srv.Close()
	k := newThreadKeys(t)
	open := func() response {
		return doH(t, "POST", srv.URL+"/api/v1/hubs/a/submissions", wire.MediaTypeAge,
			map[string]string{wire.HeaderThreadVerifier: k.verifier}, encrypt(t, []byte("report"), false, id.Recipient()))
	}
	if r := open(); r.status != 201 {
		t.Fatalf("first opening: %d %s", r.status, r.body)
	}
	for i := 0; i < 2; i++ {
		if r := open(); r.status != 409 || r.code() != wire.CodeThreadExists {
			t.Fatalf("opening %d with the taken codename: %d %s", i+2, r.status, r.body)
		}
	}
	r := open()
	if r.status != 429 || r.code() != wire.CodeTooManyRequests {
		t.Fatalf("fourth opening: %d %s, want 429 like a fourth lookup", r.status, r.body)
	}
	// Lookups and openings share the budget.
	if r := doH(t, "GET", srv.URL+"/api/v1/hubs/a/thread", "", map[string]string{wire.HeaderThreadToken: k.token}, nil); r.status != 429 {
		t.Fatalf("lookup after the openings: %d, want 429", r.status)
	}
	now = now.Add(2 * time.Second)
	if r := open(); r.status != 409 {
		t.Fatalf("after waiting: %d", r.status)
	}
	if subs, err := st.Submissions("a"); err != nil || len(subs) != 1 {
		t.Fatalf("stored %d submissions (%v), want the first only", len(subs), err)
	}
}

// A full conversation refuses more messages with 409 thread_full.
func TestThreadFull(t *testing.T) {
	t.Parallel()
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{MaxThreadMessages: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, _ := age.GenerateHybridIdentity()
	a, _ := hub.New("a", "", []string{id.Recipient().String()}, 0, 0)
	authSvc, _ := auth.New(st, nil)
	srv := httptest.NewServer(api.New(api.Options{Store: st, Hubs: hub.NewRegistry(a), Auth: authSvc}))
	defer srv.Close()
	k := newThreadKeys(t)
	base := srv.URL + "/api/v1/hubs/a"
	if r := doH(t, "POST", base+"/submissions", wire.MediaTypeAge, map[string]string{wire.HeaderThreadVerifier: k.verifier},
		encrypt(t, []byte("report"), false, id.Recipient())); r.status != 201 {
		t.Fatalf("opening: %d %s", r.status, r.body)
	}
	follow := func() response {
		return doH(t, "POST", base+"/thread/messages", wire.MediaTypeAge, map[string]string{wire.HeaderThreadToken: k.token},
			encrypt(t, []byte("more"), false, id.Recipient()))
	}
	if r := follow(); r.status != 201 {
		t.Fatalf("follow-up: %d %s", r.status, r.body)
	}
	if r := follow(); r.status != 409 || r.code() != wire.CodeThreadFull {
		t.Fatalf("follow-up to a full conversation: %d %s", r.status, r.body)
	}
}
