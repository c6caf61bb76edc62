package api_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/auth"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// The flood test's limits: a window of 2 s stands for the hour.
const (
	floodWindow    = 2 * time.Second
	floodPerWindow = 60
	floodQuota     = 4 << 20
	floodMaxSize   = 1 << 20
	floodSlots     = 4
	floodQueueWait = 100 * time.Millisecond
	floodRequests  = 20000           // junk and valid-looking, in all
	floodFor       = 6 * time.Second // at most
	floodWorkers   = 12
	genuineReports = 5
	genuineAlerts  = 2
	// The server's connection cap, and as many keep-alive connections
	// held idle by the flooder (each making one request, and opened
	// again floodRefill after the server closes it).
	floodConns  = 64
	floodRefill = 100 * time.Millisecond
	// A defender checks in this often during the flood.
	checkinEvery = time.Second
)

// refusalStatus is the status every refusal code must come with.
var refusalStatus = map[string]int{
	wire.CodeBadRequest:        400,
	wire.CodeBadAgeHeader:      400,
	wire.CodeBadArmor:          400,
	wire.CodeBadPayload:        400,
	wire.CodeTooLarge:          413,
	wire.CodeUnsupportedType:   415,
	wire.CodeRecipientMismatch: 422,
	wire.CodeNoThread:          404,
	wire.CodeTooManyRequests:   429,
	wire.CodeUnavailable:       503,
	wire.CodeQuotaExceeded:     507,
	wire.CodeBadChallenge:      422,
}

// admissionCodes may answer any upload, before its body is read.
var admissionCodes = []string{wire.CodeTooManyRequests, wire.CodeUnavailable, wire.CodeQuotaExceeded}

// junk is one kind of request a flooder sends.
type junk struct {
	name string
	send func(ctx context.Context, api string) (*http.Response, error)
	// codes are the refusals it may get besides admissionCodes; accepted
	// says a 201 is possible (a valid-looking file), challenge a 200 with
	// a login challenge.
	codes     []string
	accepted  bool
	challenge bool
}

// TestFlood sends, through a real server on loopback, a burst of junk and
// valid-looking submissions and login challenges to one hub from many
// goroutines, with the hub's quotas and the server's upload slots set low,
// and holds as many idle keep-alive connections as the server's
// connection cap (difesad's own limiter), opening each again 100 ms after
// the server closes it, while a defender sends genuine reports and alerts
// at a modest pace with the CLI's client code, retrying on 429 and 503 as
// Retry-After says, and another checks in every second.
//
// It checks that every refusal has a stable code and its status, that the
// defender's submissions all get through within the documented bound (the
// flood's length plus two windows: the cap cannot tell the defender from
// the flooder, so reports may wait for the flood to end; an alert uses its
// reserve and should not wait for it), that every check-in gets through
// within seconds (they are never limited), that nothing unacknowledged is
// stored, that the stored-bytes count is the sum of what is stored, and
// that the database verifies.
func TestFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("a bounded flood of about 10 s")
	}
	t.Parallel()
	st, err := store.Open(filepath.Join(t.TempDir(), "flood.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, _ := age.GenerateHybridIdentity()
	h, err := hub.New("h", "Flooded hub", []string{id.Recipient().String()}, floodMaxSize, 0)
	if err != nil {
		t.Fatal(err)
	}
	h.MaxSubmissionsPerHour, h.MaxStoredBytes = floodPerWindow, floodQuota
	authSvc, _ := auth.New(st, nil)
	srv := httptest.NewUnstartedServer(api.New(api.Options{
		Store: st, Hubs: hub.NewRegistry(h), Auth: authSvc,
		MaxConcurrentUploads: floodSlots, UploadQueueWait: floodQueueWait,
		Hour: floodWindow, UploadIdleTimeout: time.Second,
	}))
	// As difesad sets them (internal/daemon), with its connection cap.
	srv.Config.ReadHeaderTimeout, srv.Config.ReadTimeout = 10*time.Second, 60*time.Second
	srv.Config.WriteTimeout, srv.Config.IdleTimeout = 60*time.Second, daemon.IdleTimeout
	srv.Listener = daemon.LimitConnections(srv.Config, srv.Listener, floodConns)
	srv.Start()
	defer srv.Close()
	apiURL := srv.URL + "/api/v1/hubs/h"

	kinds := floodKinds(t, id.Recipient())
	var (
		mu       sync.Mutex
		acked    = map[string]bool{} // ids answered 201, flood and defender
		byCode   = map[string]int{}
		failures []string
		sent     atomic.Int64
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	// Requests stop being sent after floodFor; those in flight finish (a
	// cancelled one could be committed with nobody to hear its 201).
	ctx, cancel := context.WithTimeout(context.Background(), floodFor+30*time.Second)
	defer cancel()
	// A defender with a check-in timer, armed before the flood.
	c, err := client.New(srv.URL+"/hubs/h", client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	recips, err := c.Recipients(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	code, err := codename.Generate()
	if err != nil {
		t.Fatal(err)
	}
	duress, _ := codename.Generate()
	checkinCode := code.String()
	if _, err := c.ArmCheckin(context.Background(), client.Checkin{
		Every: 24 * time.Hour, Grace: time.Hour,
		Code: client.CheckinVerifier(checkinCode), Duress: client.CheckinVerifier(duress.String()),
	}, bytes.NewReader(encrypt(t, []byte("if I stop checking in, call my lawyer"), false, recips...))); err != nil {
		t.Fatal(err)
	}
	armed, err := st.Submissions("h")
	if err != nil || len(armed) != 1 {
		t.Fatalf("the check-in's instructions: %v %v", armed, err)
	}
	acked[armed[0].ID.String()] = true

	floodStart := time.Now()
	floodEnd := floodStart.Add(floodFor)
	var flood sync.WaitGroup
	// The idle keep-alive connections, opened again a moment after the
	// server closes one, for the flood's length.
	var idleCut atomic.Int64
	for range floodConns {
		flood.Go(func() {
			for time.Now().Before(floodEnd) {
				if holdIdleConn(srv.Listener.Addr().String(), floodEnd) {
					idleCut.Add(1)
				}
				time.Sleep(floodRefill) // pacing the flooder, not synchronisation
			}
		})
	}
	for w := range floodWorkers {
		flood.Go(func() {
			for i := w; time.Now().Before(floodEnd) && sent.Add(1) <= floodRequests; i += floodWorkers {
				k := kinds[i%len(kinds)]
				resp, err := k.send(ctx, apiURL)
				if err != nil {
					switch {
					case closedIdle(err):
						// An idle keep-alive connection closed to make
						// room, as the request crossed it: never read.
						mu.Lock()
						byCode["closed idle"]++
						mu.Unlock()
					case k.name != "oversized stream" && k.name != "slowloris" && k.name != "oversized, declared":
						// The server may cut those before reading all
						// they send, and the client sees the cut first;
						// the declared one's body fails after 2 s, before
						// the answer if it waited for a connection slot.
						fail("%s: %v", k.name, err)
					}
					continue
				}
				code, id := checkAnswer(resp, k, fail)
				mu.Lock()
				byCode[code]++
				if id != "" {
					acked[id] = true
				}
				mu.Unlock()
			}
		})
	}

	// The defender: genuine reports a few hundred milliseconds apart, and
	// an alert, through internal/client as the CLI sends them.
	type result struct {
		kind     string
		latency  time.Duration
		attempts int
		err      error
	}
	results := make(chan result, genuineReports+genuineAlerts+int(floodFor/checkinEvery)+1)
	var defender sync.WaitGroup
	genuine := func(kind string) {
		defer defender.Done()
		body := encrypt(t, []byte("genuine "+kind+": they came at night"), false, recips...)
		start := time.Now()
		for attempt := 1; ; attempt++ {
			created, err := c.Submit(context.Background(), kind, bytes.NewReader(body))
			if err == nil {
				mu.Lock()
				acked[created.ID] = true
				mu.Unlock()
				results <- result{kind, time.Since(start), attempt, nil}
				return
			}
			wait, ok := client.RetryAfter(err)
			if closedIdle(err) {
				wait, ok = 0, true // as any HTTP client does: again, on a new connection
			}
			if !ok || time.Since(start) > floodFor+3*floodWindow+5*time.Second {
				results <- result{kind, time.Since(start), attempt, err}
				return
			}
			time.Sleep(wait)
		}
	}
	time.Sleep(300 * time.Millisecond) // let the flood fill the window first
	defender.Add(1)
	go func() { // check-ins, never limited: each must get through at once
		defer defender.Done()
		for time.Now().Before(floodEnd) {
			start := time.Now()
			var err error
			attempt := 1
			for ; ; attempt++ {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_, err = c.CheckIn(ctx, checkinCode)
				cancel()
				wait, ok := client.RetryAfter(err)
				if closedIdle(err) {
					wait, ok = 0, true
				}
				if err == nil || !ok || time.Since(start) > 10*time.Second {
					break
				}
				time.Sleep(wait)
			}
			results <- result{"check-in", time.Since(start), attempt, err}
			time.Sleep(checkinEvery)
		}
	}()
	for i := range genuineReports {
		defender.Add(1)
		go genuine(wire.KindReport)
		if i == 1 || i == 3 {
			defender.Add(1)
			go genuine(wire.KindAlert)
		}
		time.Sleep(300 * time.Millisecond)
	}
	flood.Wait()
	floodTook := time.Since(floodStart)
	defender.Wait()
	close(results)
	total := time.Since(floodStart)

	for _, f := range failures {
		t.Error(f)
	}
	bound := floodTook + 2*floodWindow + time.Second
	// Check-ins are never limited: a flood must not hold them up. (Alerts
	// may wait for an upload slot, Retry-After 5 s, like any upload.)
	const checkinBound = 5 * time.Second
	worst := map[string]time.Duration{}
	got, tried := map[string]int{}, map[string]int{}
	for r := range results {
		tried[r.kind]++
		if r.err != nil {
			t.Errorf("genuine %s not accepted after %d attempts in %v: %v", r.kind, r.attempts, r.latency, r.err)
			continue
		}
		got[r.kind]++
		worst[r.kind] = max(worst[r.kind], r.latency)
		if r.kind != "check-in" {
			t.Logf("genuine %s accepted after %d attempts in %v", r.kind, r.attempts, r.latency.Round(time.Millisecond))
		}
		switch {
		case r.latency > bound:
			t.Errorf("genuine %s took %v, over the bound of %v (flood %v + 2 windows + 1 s)", r.kind, r.latency, bound, floodTook)
		case r.kind == "check-in" && r.latency > checkinBound:
			t.Errorf("a check-in took %v (%d attempts) during the flood, over %v", r.latency, r.attempts, checkinBound)
		}
	}
	if tried["check-in"] < 3 {
		t.Errorf("only %d check-ins tried during the flood", tried["check-in"])
	}
	codes := make([]string, 0, len(byCode))
	for c := range byCode {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var summary bytes.Buffer
	for _, c := range codes {
		fmt.Fprintf(&summary, " %s=%d", c, byCode[c])
	}
	t.Logf("flood: %d requests in %v (answers:%s), %d idle keep-alive connections held (%d closed by the server to make room); %v in all",
		min(sent.Load(), floodRequests), floodTook.Round(time.Millisecond), summary.String(), floodConns, idleCut.Load(), total.Round(time.Millisecond))
	for _, k := range []string{wire.KindAlert, "check-in", wire.KindReport} {
		t.Logf("genuine %s: %d of %d through, worst latency %v", k, got[k], tried[k], worst[k].Round(time.Millisecond))
	}
	if got["check-in"] == 0 || got[wire.KindAlert] != genuineAlerts {
		t.Errorf("genuine check-ins through: %d, alerts: %d of %d", got["check-in"], got[wire.KindAlert], genuineAlerts)
	}

	// Nothing unacknowledged is stored; the count and the database agree.
	subs, err := st.Submissions("h")
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, s := range subs {
		sum += s.Size
		if !acked[s.ID.String()] {
			t.Errorf("submission %s (%d bytes) stored but never acknowledged", s.ID, s.Size)
		}
	}
	if len(subs) != len(acked) {
		t.Errorf("%d submissions stored, %d acknowledged", len(subs), len(acked))
	}
	if stored, _ := st.StoredBytes("h"); stored != sum || stored > floodQuota {
		t.Errorf("stored-bytes count %d, submissions hold %d, quota %d", stored, sum, floodQuota)
	}
	if err := st.Verify(); err != nil {
		t.Errorf("database after the flood: %v", err)
	}
}

// checkAnswer reads a flood answer, checks its code and status against k,
// and returns the code ("created" for a 201) and the new id, if any.
func checkAnswer(resp *http.Response, k junk, fail func(string, ...any)) (code, id string) {
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusOK && k.challenge {
		var ch wire.Challenge
		if json.Unmarshal(b, &ch) != nil || ch.ID == "" || ch.Ciphertext == "" {
			fail("%s: 200 %s", k.name, b)
		}
		return "challenge", ""
	}
	if resp.StatusCode == http.StatusCreated {
		var c wire.SubmissionCreated
		if !k.accepted || json.Unmarshal(b, &c) != nil || c.ID == "" {
			fail("%s: 201 %s", k.name, b)
		}
		return "created", c.ID
	}
	var e wire.ErrorBody
	if json.Unmarshal(b, &e) != nil || e.Error == nil {
		fail("%s: %d without an error body: %q", k.name, resp.StatusCode, b)
		return "none", ""
	}
	code = e.Error.Code
	if want, known := refusalStatus[code]; !known || want != resp.StatusCode {
		fail("%s: code %q with status %d", k.name, code, resp.StatusCode)
	}
	allowed := false
	for _, c := range append(append([]string(nil), admissionCodes...), k.codes...) {
		allowed = allowed || c == code
	}
	if !allowed {
		fail("%s: unexpected refusal %d %s: %s", k.name, resp.StatusCode, code, e.Error.Message)
	}
	if resp.StatusCode == 429 || resp.StatusCode == 503 {
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || secs < 1 {
			fail("%s: %d with Retry-After %q", k.name, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	return code, ""
}

// floodKinds prepares the flood's requests: malformed in every way the
// server checks, and valid-looking files anyone can make from the hub's
// public recipients.
func floodKinds(t *testing.T, hubR age.Recipient) []junk {
	stranger, _ := age.GenerateHybridIdentity()
	classic, _ := age.GenerateX25519Identity()
	var valid [][]byte
	for i := range 16 {
		noise := make([]byte, 500+i*300)
		rand.Read(noise)
		valid = append(valid, encrypt(t, noise, false, hubR))
	}
	// Cut into the last chunk's tag: no age file can end like that.
	short := encrypt(t, []byte("x"), false, hubR)
	truncated := short[:len(short)-10]
	extra := encrypt(t, []byte("x"), false, hubR, stranger.Recipient())
	wrongType := encrypt(t, []byte("x"), false, classic.Recipient())
	garbage := make([]byte, 4096)
	rand.Read(garbage)
	armored := encrypt(t, []byte("x"), true, hubR)
	badArmor := append(append([]byte(nil), armored[:len(armored)-40]...), []byte("!!!!\n-----END AGE ENCRYPTED FILE-----\n")...)

	post := func(path, contentType string, header map[string]string, body func() io.Reader, length int64) func(context.Context, string) (*http.Response, error) {
		return func(ctx context.Context, api string) (*http.Response, error) {
			req, err := http.NewRequestWithContext(ctx, "POST", api+path, body())
			if err != nil {
				return nil, err
			}
			req.ContentLength = length
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			for k, v := range header {
				req.Header.Set(k, v)
			}
			return http.DefaultClient.Do(req)
		}
	}
	fixed := func(b []byte) func() io.Reader { return func() io.Reader { return bytes.NewReader(b) } }
	var n atomic.Int64
	someValid := func() io.Reader { return bytes.NewReader(valid[n.Add(1)%int64(len(valid))]) }
	ageType := wire.MediaTypeAge

	return []junk{
		{name: "valid-looking", send: post("/submissions", ageType, nil, someValid, -1), accepted: true},
		{name: "not age", send: post("/submissions", ageType, nil, fixed(garbage), int64(len(garbage))), codes: []string{wire.CodeBadAgeHeader}},
		{name: "valid-looking alert", send: post("/submissions?kind=alert", ageType, nil, someValid, -1), accepted: true},
		{name: "wrong content type", send: post("/submissions", "application/x-www-form-urlencoded", nil, someValid, -1), codes: []string{wire.CodeUnsupportedType}},
		{name: "no content type", send: post("/submissions", "", nil, someValid, -1), codes: []string{wire.CodeUnsupportedType}},
		{name: "truncated", send: post("/submissions", ageType, nil, fixed(truncated), -1), codes: []string{wire.CodeBadPayload}},
		{name: "valid-looking", send: post("/submissions", ageType, nil, someValid, -1), accepted: true},
		{name: "wrong recipients", send: post("/submissions", ageType, nil, fixed(extra), -1), codes: []string{wire.CodeRecipientMismatch}},
		{name: "wrong recipient type", send: post("/submissions", ageType, nil, fixed(wrongType), -1), codes: []string{wire.CodeRecipientMismatch}},
		{name: "bad epoch", send: post("/submissions?epoch=yesterday", ageType, nil, someValid, -1), codes: []string{wire.CodeBadRequest}},
		{name: "unknown kind", send: post("/submissions?kind=poem", ageType, nil, someValid, -1), codes: []string{wire.CodeBadRequest}},
		{name: "bad thread verifier", send: post("/submissions", ageType, map[string]string{wire.HeaderThreadVerifier: "short"}, someValid, -1), codes: []string{wire.CodeBadRequest}},
		{name: "bad armor", send: post("/submissions", "text/plain", nil, fixed(badArmor), -1), codes: []string{wire.CodeBadArmor, wire.CodeBadAgeHeader}},
		{name: "valid-looking", send: post("/submissions", ageType, nil, someValid, -1), accepted: true},
		// Declares far more than any hub takes, and never sends it.
		{name: "oversized, declared", send: post("/submissions", ageType, nil, func() io.Reader { return &stalled{} }, 64<<20), codes: []string{wire.CodeTooLarge}},
		// Streams a file over the size limit: refused mid-stream.
		{name: "oversized stream", send: post("/submissions", ageType, nil, func() io.Reader {
			return io.MultiReader(bytes.NewReader(valid[0][:200]), io.LimitReader(zeros{}, 2*floodMaxSize))
		}, -1), codes: []string{wire.CodeTooLarge, wire.CodeBadAgeHeader, wire.CodeBadPayload}},
		{name: "valid-looking", send: post("/submissions", ageType, nil, someValid, -1), accepted: true},
		// Sends a header, then nothing: holds an upload slot until the
		// idle timeout cuts it.
		{name: "slowloris", send: post("/submissions", ageType, nil, func() io.Reader {
			return io.MultiReader(bytes.NewReader(valid[1][:1000]), &stalled{})
		}, -1), codes: []string{wire.CodeBadRequest}},
		{name: "follow-up without a codename", send: post("/thread/messages", ageType, nil, someValid, -1), codes: []string{wire.CodeNoThread}},
		// Login challenges: for the hub's own recipient (public), each
		// encrypted to it and kept until it expires or the cap is
		// reached, and for strangers.
		{name: "login challenge", send: post("/auth/challenge", "application/json", nil, fixed(challengeFor(hubR)), -1), challenge: true},
		{name: "login challenge, stranger", send: post("/auth/challenge", "application/json", nil, fixed(challengeFor(stranger.Recipient())), -1), codes: []string{wire.CodeBadChallenge}},
		{name: "login challenge", send: post("/auth/challenge", "application/json", nil, fixed(challengeFor(hubR)), -1), challenge: true},
	}
}

// closedIdle reports whether err is a client's view of a keep-alive
// connection the server closed as the request was sent on it.
func closedIdle(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, s := range []string{"server closed idle connection", "connection reset by peer", "broken pipe", "use of closed network connection", ": EOF"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return errors.Is(err, io.EOF)
}

// challengeFor is the body of a login challenge request for r.
func challengeFor(r age.Recipient) []byte {
	b, _ := json.Marshal(wire.ChallengeRequest{Recipient: fmt.Sprint(r)})
	return b
}

// holdIdleConn opens a keep-alive connection to addr, makes one request,
// reads the answer and then holds the connection idle until the server
// closes it (true) or until, at the latest, end (false).
func holdIdleConn(addr string, end time.Time) bool {
	c, err := net.DialTimeout("tcp", addr, time.Until(end))
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(end)
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: difesa\r\n\r\n"); err != nil {
		return false
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	_, err = br.ReadByte() // blocks while idle
	return err == io.EOF
}

// stalled is a body that never comes: it blocks until the request ends.
type stalled struct{}

func (stalled) Read([]byte) (int, error) {
	time.Sleep(2 * time.Second)
	return 0, errors.New("stalled body")
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
