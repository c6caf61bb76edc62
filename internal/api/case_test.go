package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/wire"
)

// caseHub is a real server on loopback (newEventsServer: real bbolt, test
// clock, real broker) with one report and a responder logged in.
type caseHub struct {
	*eventsServer
	id      *age.HybridIdentity
	token   string
	subID   string
	caseURL string
}

func newCaseHub(t testing.TB) *caseHub {
	t.Helper()
	id, _ := age.GenerateHybridIdentity()
	es := newEventsServer(t, id)
	r := do(t, "POST", es.api+"/submissions", wire.MediaTypeAge, "", bytes.NewReader(encrypt(t, []byte("report"), false, id.Recipient())))
	if r.status != 201 {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	var created wire.SubmissionCreated
	json.Unmarshal(r.body, &created)
	return &caseHub{eventsServer: es, id: id, token: login(t, es.api, id), subID: created.ID,
		caseURL: es.api + "/submissions/" + created.ID + "/case"}
}

// putRecord sends a write of a record with If-Match ifMatch ("" for none).
func putRecord(t testing.TB, url, token, ifMatch, contentType string, body []byte) response {
	t.Helper()
	req, err := http.NewRequest("PUT", url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

// readRecord fetches a record and decrypts it with id.
func readRecord(t *testing.T, url, token string, id age.Identity) (plaintext string, etag string) {
	t.Helper()
	r := do(t, "GET", url, "", token, nil)
	if r.status != 200 {
		t.Fatalf("GET %s: %d %s", url, r.status, r.body)
	}
	if r.header.Get("Content-Type") != wire.MediaTypeAge {
		t.Fatalf("GET %s: Content-Type %q", url, r.header.Get("Content-Type"))
	}
	pt, err := age.Decrypt(bytes.NewReader(r.body), id)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	b, _ := io.ReadAll(pt)
	return string(b), r.header.Get("ETag")
}

func TestCaseRecordLifecycle(t *testing.T) {
	t.Parallel()
	h := newCaseHub(t)
	events, cancel := h.broker.Subscribe("it")
	defer cancel()

	if r := do(t, "GET", h.caseURL, "", h.token, nil); r.status != 404 || r.code() != wire.CodeNoCase {
		t.Fatalf("GET before any write: %d %s", r.status, r.body)
	}
	var list0 wire.SubmissionList
	json.Unmarshal(do(t, "GET", h.api+"/submissions", "", h.token, nil).body, &list0)
	if len(list0.Submissions) != 1 || list0.Submissions[0].Case != 0 || list0.More {
		t.Fatalf("listing before the write: %+v", list0)
	}
	cursor := list0.Next
	// Create.
	h.clock.Set(time.Date(2026, 11, 23, 23, 59, 59, 0, time.UTC))
	r := putRecord(t, h.caseURL, h.token, `"0"`, wire.MediaTypeAge, encrypt(t, []byte("v1"), false, h.id.Recipient()))
	var rec wire.CaseRecord
	if json.Unmarshal(r.body, &rec); r.status != 200 || rec.Version != 1 || r.header.Get("ETag") != `"1"` || rec.Updated != "2026-11-23T23:00:00Z" || rec.Size == 0 {
		t.Fatalf("create: %d %s ETag %s", r.status, r.body, r.header.Get("ETag"))
	}
	// The write is a change of the submission: listed again, with the
	// record's version.
	var list wire.SubmissionList
	json.Unmarshal(do(t, "GET", h.api+"/submissions?after="+cursor, "", h.token, nil).body, &list)
	if len(list.Submissions) != 1 || list.Submissions[0].ID != h.subID || list.Submissions[0].Case != 1 {
		t.Fatalf("listing after the write: %+v", list)
	}
	select {
	case n := <-events:
		if n.Type != wire.EventCaseChanged || len(n.Submissions) != 1 || n.Submissions[0] != h.subID || n.URL != "" {
			t.Fatalf("event %+v", n)
		}
	case <-time.After(streamDeadline):
		t.Fatal("no case.changed event")
	}
	if pt, etag := readRecord(t, h.caseURL, h.token, h.id); pt != "v1" || etag != `"1"` {
		t.Fatalf("read %q %s", pt, etag)
	}
	// The next hour, a second write on version 1.
	h.clock.Set(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))
	if r := putRecord(t, h.caseURL, h.token, `"1"`, wire.MediaTypeAge, encrypt(t, []byte("v2"), false, h.id.Recipient())); r.status != 200 || r.header.Get("ETag") != `"2"` {
		t.Fatalf("CAS on 1: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", h.caseURL, "", h.token, nil); r.header.Get(wire.HeaderCaseUpdated) != "2026-11-24T00:00:00Z" {
		t.Fatalf("updated %q", r.header.Get(wire.HeaderCaseUpdated))
	}
	// Stale writes: on 1 again, and a create over an existing record.
	for _, base := range []string{`"1"`, `"0"`, `"3"`} {
		r := putRecord(t, h.caseURL, h.token, base, wire.MediaTypeAge, encrypt(t, []byte("lost?"), false, h.id.Recipient()))
		if r.status != 409 || r.code() != wire.CodeStaleVersion || r.header.Get("ETag") != `"2"` {
			t.Fatalf("stale write on %s: %d %s ETag %s", base, r.status, r.body, r.header.Get("ETag"))
		}
	}
	if pt, etag := readRecord(t, h.caseURL, h.token, h.id); pt != "v2" || etag != `"2"` {
		t.Fatalf("after stale writes: %q %s", pt, etag)
	}
	// The audit log names the responder and the hour, nothing else.
	var log wire.AuditLog
	json.Unmarshal(do(t, "GET", h.api+"/audit", "", h.token, nil).body, &log)
	var changed []wire.AuditEvent
	for _, ev := range log.Events {
		if ev.Event == wire.EventCaseChanged {
			changed = append(changed, ev)
		}
	}
	if len(changed) != 2 || changed[0].By != "Responder 1" || changed[0].Submission != h.subID || changed[1].Time != "2026-11-24T00:00:00Z" {
		t.Fatalf("audit: %+v", changed)
	}
	// Deleting the submission deletes its record.
	if r := do(t, "DELETE", h.api+"/submissions/"+h.subID, "", h.token, nil); r.status != 204 {
		t.Fatalf("delete: %d", r.status)
	}
	if r := do(t, "GET", h.caseURL, "", h.token, nil); r.status != 404 || r.code() != wire.CodeNotFound {
		t.Fatalf("GET after delete: %d %s", r.status, r.body)
	}
	if r := putRecord(t, h.caseURL, h.token, `"2"`, wire.MediaTypeAge, encrypt(t, []byte("v3"), false, h.id.Recipient())); r.status != 404 {
		t.Fatalf("PUT after delete: %d %s", r.status, r.body)
	}
}

func TestCaseRecordDeletedWithSubmission(t *testing.T) {
	t.Parallel()
	h := newCaseHub(t)
	if r := putRecord(t, h.caseURL, h.token, `"0"`, wire.MediaTypeAge, encrypt(t, []byte("v1"), false, h.id.Recipient())); r.status != 200 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if n, err := h.store.CaseRecords("it"); err != nil || n != 1 {
		t.Fatalf("%d case records after a write (%v)", n, err)
	}
	if r := do(t, "DELETE", h.api+"/submissions/"+h.subID, "", h.token, nil); r.status != 204 {
		t.Fatalf("delete: %d", r.status)
	}
	if n, err := h.store.CaseRecords("it"); err != nil || n != 0 {
		t.Fatalf("%d case records left after the submission was deleted", n)
	}
}

func TestHubRecord(t *testing.T) {
	t.Parallel()
	h := newCaseHub(t)
	u := h.api + "/case-settings"
	events, cancel := h.broker.Subscribe("it")
	defer cancel()
	if r := do(t, "GET", u, "", h.token, nil); r.status != 404 || r.code() != wire.CodeNoCase {
		t.Fatalf("GET before any write: %d %s", r.status, r.body)
	}
	if r := putRecord(t, u, h.token, `"0"`, wire.MediaTypeAge, encrypt(t, []byte("labels"), false, h.id.Recipient())); r.status != 200 || r.header.Get("ETag") != `"1"` {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	select {
	case n := <-events:
		if n.Type != wire.EventHubCaseChanged || len(n.Submissions) != 0 {
			t.Fatalf("event %+v", n)
		}
	case <-time.After(streamDeadline):
		t.Fatal("no case-settings.changed event")
	}
	if r := putRecord(t, u, h.token, `"0"`, wire.MediaTypeAge, encrypt(t, []byte("other"), false, h.id.Recipient())); r.status != 409 || r.header.Get("ETag") != `"1"` {
		t.Fatalf("stale: %d %s", r.status, r.body)
	}
	big := encrypt(t, bytes.Repeat([]byte("l"), wire.MaxHubRecordSize), false, h.id.Recipient())
	if r := putRecord(t, u, h.token, `"1"`, wire.MediaTypeAge, big); r.status != 413 || r.code() != wire.CodeCaseTooLarge {
		t.Fatalf("oversize hub record: %d %s", r.status, r.body)
	}
	if pt, etag := readRecord(t, u, h.token, h.id); pt != "labels" || etag != `"1"` {
		t.Fatalf("read %q %s", pt, etag)
	}
}

// TestCaseRecordConcurrentWriters has writers append to one record with
// read, merge and compare-and-swap: each version is won by exactly one
// write, and no write is lost.
func TestCaseRecordConcurrentWriters(t *testing.T) {
	t.Parallel()
	h := newCaseHub(t)
	const writers, each = 6, 3
	var mu sync.Mutex
	won := map[string]int{} // ETag → wins
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; {
				cur, base := "", `"0"`
				if r := do(t, "GET", h.caseURL, "", h.token, nil); r.status == 200 {
					pt, err := age.Decrypt(bytes.NewReader(r.body), h.id)
					if err != nil {
						errs <- err
						return
					}
					b, _ := io.ReadAll(pt)
					cur, base = string(b), r.header.Get("ETag")
				}
				next := cur + fmt.Sprintf("w%d.%d;", w, i)
				r := putRecord(t, h.caseURL, h.token, base, wire.MediaTypeAge, encrypt(t, []byte(next), false, h.id.Recipient()))
				switch r.status {
				case 200:
					mu.Lock()
					won[r.header.Get("ETag")]++
					mu.Unlock()
					i++
				case 409:
				default:
					errs <- fmt.Errorf("write: %d %s", r.status, r.body)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for v := 1; v <= writers*each; v++ {
		if n := won[fmt.Sprintf(`"%d"`, v)]; n != 1 {
			t.Errorf("version %d won by %d writes", v, n)
		}
	}
	pt, etag := readRecord(t, h.caseURL, h.token, h.id)
	if etag != fmt.Sprintf(`"%d"`, writers*each) {
		t.Errorf("final version %s", etag)
	}
	for w := range writers {
		for i := range each {
			if !strings.Contains(pt, fmt.Sprintf("w%d.%d;", w, i)) {
				t.Errorf("lost update w%d.%d: %q", w, i, pt)
			}
		}
	}
}

// TestCaseRecordDeletedWithConversation: deleting a whole conversation
// deletes the case records of its messages too.
func TestCaseRecordDeletedWithConversation(t *testing.T) {
	t.Parallel()
	h := newCaseHub(t)
	var token [32]byte
	token[0] = 1
	verifier := codename.TokenVerifier(token)
	req, _ := http.NewRequest("POST", h.api+"/submissions", bytes.NewReader(encrypt(t, []byte("report"), false, h.id.Recipient())))
	req.Header.Set("Content-Type", wire.MediaTypeAge)
	req.Header.Set(wire.HeaderThreadVerifier, base64.RawURLEncoding.EncodeToString(verifier[:]))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var created wire.SubmissionCreated
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("opening a conversation: %d", resp.StatusCode)
	}
	for _, id := range []string{created.ID, h.subID} {
		if r := putRecord(t, h.api+"/submissions/"+id+"/case", h.token, `"0"`, wire.MediaTypeAge, encrypt(t, []byte("case"), false, h.id.Recipient())); r.status != 200 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
	}
	if r := do(t, "DELETE", h.api+"/threads/"+created.ID, "", h.token, nil); r.status != 204 {
		t.Fatalf("deleting the conversation: %d %s", r.status, r.body)
	}
	if n, err := h.store.CaseRecords("it"); err != nil || n != 1 {
		t.Fatalf("%d case records left, want the other submission's only (%v)", n, err)
	}
	if _, etag := readRecord(t, h.caseURL, h.token, h.id); etag != `"1"` {
		t.Fatalf("the other record: %s", etag)
	}
}
