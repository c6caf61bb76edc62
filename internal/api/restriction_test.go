package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/wire"
)

// restrictedHub is a real server on loopback with three responders, Ana,
// Bo and Cy, and one conversation (a report and a follow-up), besides a
// plain report.
type restrictedHub struct {
	*eventsServer
	ana, bo, cy      *age.HybridIdentity
	tAna, tBo, tCy   string
	report, followup string
	other            string
	threadToken      string
}

func newRestrictedHub(t *testing.T) *restrictedHub {
	t.Helper()
	ana, _ := age.GenerateHybridIdentity()
	bo, _ := age.GenerateHybridIdentity()
	cy, _ := age.GenerateHybridIdentity()
	es := newEventsServer(t, ana, bo, cy)
	h := &restrictedHub{eventsServer: es, ana: ana, bo: bo, cy: cy}
	all := []age.Recipient{ana.Recipient(), bo.Recipient(), cy.Recipient()}
	var token [32]byte
	token[0] = 7
	verifier := codename.TokenVerifier(token)
	h.threadToken = base64.RawURLEncoding.EncodeToString(token[:])
	req, _ := http.NewRequest("POST", es.api+"/submissions", bytes.NewReader(encrypt(t, []byte("canary-report"), false, all...)))
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
		t.Fatalf("report: %d", resp.StatusCode)
	}
	h.report = created.ID
	req, _ = http.NewRequest("POST", es.api+"/thread/messages", bytes.NewReader(encrypt(t, []byte("canary-followup"), false, all...)))
	req.Header.Set("Content-Type", wire.MediaTypeAge)
	req.Header.Set(wire.HeaderThreadToken, h.threadToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("follow-up: %d", resp.StatusCode)
	}
	h.followup = created.ID
	r := do(t, "POST", es.api+"/submissions", wire.MediaTypeAge, "", bytes.NewReader(encrypt(t, []byte("other"), false, all...)))
	json.Unmarshal(r.body, &created)
	h.other = created.ID
	h.tAna, h.tBo, h.tCy = login(t, es.api, ana), login(t, es.api, bo), login(t, es.api, cy)
	return h
}

// restrict sends PUT …/restriction with If-Match ifMatch and body.
func (h *restrictedHub) restrict(t *testing.T, token, id, ifMatch string, body []byte) response {
	t.Helper()
	req, _ := http.NewRequest("PUT", h.api+"/submissions/"+id+"/restriction", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return response{resp.StatusCode, resp.Header, b.Bytes()}
}

func keysBody(keys ...string) []byte {
	b, _ := json.Marshal(wire.RestrictionChange{Keys: keys})
	return b
}

func (h *restrictedHub) list(t *testing.T, token string) wire.SubmissionList {
	t.Helper()
	r := do(t, "GET", h.api+"/submissions", "", token, nil)
	if r.status != 200 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	var l wire.SubmissionList
	if err := json.Unmarshal(r.body, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// caseRequests are every request about the case a responder makes, with
// what a member's answer is (for the writes: a status that is not the
// guard's).
func (h *restrictedHub) caseRequests(t *testing.T, to ...age.Recipient) []struct {
	name, method, url, ctype string
	body                     func() []byte
	ifMatch                  string
} {
	ct := func() []byte { return encrypt(t, []byte("x"), false, to...) }
	none := func() []byte { return nil }
	base := h.api + "/submissions/"
	return []struct {
		name, method, url, ctype string
		body                     func() []byte
		ifMatch                  string
	}{
		{"download report", "GET", base + h.report, "", none, ""},
		{"download follow-up", "GET", base + h.followup, "", none, ""},
		{"conversation", "GET", h.api + "/threads/" + h.report, "", none, ""},
		{"conversation by follow-up", "GET", h.api + "/threads/" + h.followup, "", none, ""},
		{"case record", "GET", base + h.report + "/case", "", none, ""},
		{"case record write", "PUT", base + h.report + "/case", wire.MediaTypeAge, ct, `"1"`},
		{"restriction", "GET", base + h.report + "/restriction", "", none, ""},
		{"restriction change", "PUT", base + h.report + "/restriction", "application/json", func() []byte { return keysBody(h.cy.Recipient().String()) }, `"1"`},
		{"restriction lift", "DELETE", base + h.report + "/restriction", "", none, `"1"`},
		{"status", "PUT", base + h.report + "/status", "application/json", func() []byte { return []byte(`{"status":"closed"}`) }, ""},
		{"ciphertext", "PUT", base + h.report + "/ciphertext?epoch=1", wire.MediaTypeAge, ct, ""},
		{"follow-up ciphertext", "PUT", base + h.followup + "/ciphertext?epoch=1", wire.MediaTypeAge, ct, ""},
		{"reply", "POST", h.api + "/threads/" + h.report + "/replies", wire.MediaTypeAge, ct, ""},
		{"delete follow-up", "DELETE", base + h.followup, "", none, ""},
		{"delete conversation", "DELETE", h.api + "/threads/" + h.report, "", none, ""},
		{"delete report", "DELETE", base + h.report, "", none, ""},
	}
}

func send(t *testing.T, method, url, ctype, token, ifMatch string, body []byte) response {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return response{resp.StatusCode, resp.Header, b.Bytes()}
}

// TestRestrictedCaseRefusedToOutsiders: once Ana restricts the case to
// herself and Bo, every endpoint of the case (its report, its follow-up,
// its conversation, its case record, its restriction, its status,
// ciphertext, reply and delete) answers Cy's token 404 restricted and
// changes nothing; the listing shows Cy the other report and "restricted":
// 1 only; Cy's event stream says nothing of the case. Bo still reads
// everything. Lifting opens it to Cy again.
func TestRestrictedCaseRefusedToOutsiders(t *testing.T) {
	t.Parallel()
	h := newRestrictedHub(t)
	a, b := h.ana.Recipient().String(), h.bo.Recipient().String()
	if r := putRecord(t, h.api+"/submissions/"+h.report+"/case", h.tAna, `"0"`, wire.MediaTypeAge,
		encrypt(t, []byte("case"), false, h.ana.Recipient(), h.bo.Recipient(), h.cy.Recipient())); r.status != 200 {
		t.Fatalf("case record: %d %s", r.status, r.body)
	}
	r := h.restrict(t, h.tAna, h.report, `"0"`, keysBody(b, a))
	if r.status != 200 {
		t.Fatalf("restrict: %d %s", r.status, r.body)
	}
	var rs wire.Restriction
	json.Unmarshal(r.body, &rs)
	want := []string{a, b}
	if a > b {
		want = []string{b, a}
	}
	if rs.Version != 1 || strings.Join(rs.Keys, ",") != strings.Join(want, ",") || r.header.Get("ETag") != `"1"` {
		t.Fatalf("restriction %+v, ETag %s", rs, r.header.Get("ETag"))
	}

	cyEvents := openStream(t, h.api, h.tCy)
	for _, rq := range h.caseRequests(t, h.cy.Recipient()) {
		r := send(t, rq.method, rq.url, rq.ctype, h.tCy, rq.ifMatch, rq.body())
		if r.status != 404 || r.code() != wire.CodeRestricted {
			t.Errorf("%s as an outsider: %d %s, want 404 restricted", rq.name, r.status, r.body)
		}
		if strings.Contains(string(r.body), a) || strings.Contains(string(r.body), b) {
			t.Errorf("%s: the refusal names a key: %s", rq.name, r.body)
		}
	}
	// Nothing changed: Bo reads the report, the follow-up, the record
	// and the restriction as they were.
	for _, id := range []string{h.report, h.followup} {
		if r := do(t, "GET", h.api+"/submissions/"+id, "", h.tBo, nil); r.status != 200 {
			t.Errorf("Bo downloads %s: %d %s", id, r.status, r.body)
		}
	}
	if r := do(t, "GET", h.api+"/submissions/"+h.report+"/case", "", h.tBo, nil); r.status != 200 || r.header.Get("ETag") != `"1"` {
		t.Errorf("Bo reads the case record: %d %s", r.status, r.header.Get("ETag"))
	}
	if r := do(t, "GET", h.api+"/threads/"+h.report, "", h.tBo, nil); r.status != 200 {
		t.Errorf("Bo reads the conversation: %d %s", r.status, r.body)
	}

	// The listing: Cy sees the other report and a count; Bo sees all.
	l := h.list(t, h.tCy)
	if len(l.Submissions) != 1 || l.Submissions[0].ID != h.other || l.Restricted != 1 || l.Unreadable != 0 {
		t.Errorf("Cy's listing: %+v", l)
	}
	l = h.list(t, h.tBo)
	if len(l.Submissions) != 3 || l.Restricted != 0 {
		t.Errorf("Bo's listing: %+v", l)
	}
	for _, s := range l.Submissions {
		if s.Restricted != (s.ID != h.other) {
			t.Errorf("Bo's listing: %s restricted=%v", s.ID, s.Restricted)
		}
	}

	// A change of the case reaches Bo's stream, not Cy's; a change of
	// the other report reaches both.
	boEvents := openStream(t, h.api, h.tBo)
	if r := putRecord(t, h.api+"/submissions/"+h.report+"/case", h.tBo, `"1"`, wire.MediaTypeAge,
		encrypt(t, []byte("case"), false, h.ana.Recipient(), h.bo.Recipient())); r.status != 200 {
		t.Fatalf("Bo writes the record to the two: %d %s", r.status, r.body)
	}
	if r := putRecord(t, h.api+"/submissions/"+h.other+"/case", h.tBo, `"0"`, wire.MediaTypeAge,
		encrypt(t, []byte("case"), false, h.ana.Recipient(), h.bo.Recipient(), h.cy.Recipient())); r.status != 200 {
		t.Fatalf("Bo writes the other record: %d %s", r.status, r.body)
	}
	if r := putRecord(t, h.api+"/case-settings", h.tBo, `"0"`, wire.MediaTypeAge,
		encrypt(t, []byte("hub"), false, h.ana.Recipient(), h.bo.Recipient(), h.cy.Recipient())); r.status != 200 {
		t.Fatalf("Bo writes the hub record: %d %s", r.status, r.body)
	}
	for _, want := range []string{wire.EventCaseChanged, wire.EventCaseChanged, wire.EventHubCaseChanged} {
		if got := boEvents.next(t); got != want {
			t.Errorf("Bo's stream: %s, want %s", got, want)
		}
	}
	// Cy's: the other report's change, then the hub record's; not the
	// restricted case's.
	for _, want := range []string{wire.EventCaseChanged, wire.EventHubCaseChanged} {
		if got := cyEvents.next(t); got != want {
			t.Errorf("Cy's stream: %s, want %s", got, want)
		}
	}

	// Bo lifts it; Cy reads again.
	if r := send(t, "DELETE", h.api+"/submissions/"+h.report+"/restriction", "", h.tBo, `"1"`, nil); r.status != 200 {
		t.Fatalf("lift: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", h.api+"/submissions/"+h.report, "", h.tCy, nil); r.status != 200 {
		t.Errorf("Cy after the lift: %d %s", r.status, r.body)
	}
	if l := h.list(t, h.tCy); len(l.Submissions) != 3 || l.Restricted != 0 {
		t.Errorf("Cy's listing after the lift: %+v", l)
	}
}

// TestRestrictedCaseBlobsGoToItsResponders: in a restricted case the
// server takes a replacement ciphertext, a case record and a reply only
// if encrypted to the case's responders (a stanza each), and refuses one
// to the whole hub; a replacement to the same recipients again is
// already_current; lifting takes the whole hub's again.
func TestRestrictedCaseBlobsGoToItsResponders(t *testing.T) {
	t.Parallel()
	h := newRestrictedHub(t)
	two := []age.Recipient{h.ana.Recipient(), h.bo.Recipient()}
	all := append(append([]age.Recipient(nil), two...), h.cy.Recipient())
	if r := h.restrict(t, h.tAna, h.report, `"0"`, keysBody(h.ana.Recipient().String(), h.bo.Recipient().String())); r.status != 200 {
		t.Fatalf("restrict: %d %s", r.status, r.body)
	}
	put := func(id string, to ...age.Recipient) response {
		return send(t, "PUT", h.api+"/submissions/"+id+"/ciphertext?epoch=1", wire.MediaTypeAge, h.tAna, "", encrypt(t, []byte("again"), false, to...))
	}
	if r := put(h.report, all...); r.status != 422 || r.code() != wire.CodeRecipientMismatch {
		t.Errorf("replacement to the whole hub: %d %s", r.status, r.body)
	}
	for _, id := range []string{h.report, h.followup} {
		if r := put(id, two...); r.status != 200 {
			t.Errorf("replacement of %s to the two: %d %s", id, r.status, r.body)
		}
		if r := put(id, two...); r.status != 409 || r.code() != wire.CodeAlreadyCurrent {
			t.Errorf("replacement of %s to the two again: %d %s", id, r.status, r.body)
		}
	}
	caseURL := h.api + "/submissions/" + h.report + "/case"
	if r := putRecord(t, caseURL, h.tAna, `"0"`, wire.MediaTypeAge, encrypt(t, []byte("c"), false, all...)); r.status != 422 {
		t.Errorf("case record to the whole hub: %d %s", r.status, r.body)
	}
	if r := putRecord(t, caseURL, h.tAna, `"0"`, wire.MediaTypeAge, encrypt(t, []byte("c"), false, two...)); r.status != 200 {
		t.Errorf("case record to the two: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", caseURL, "", h.tAna, nil); r.header.Get(wire.HeaderCaseEpoch) != "1" {
		t.Errorf("case record epoch header %q", r.header.Get(wire.HeaderCaseEpoch))
	}
	reply := func(to ...age.Recipient) response {
		decoy, _ := age.GenerateHybridIdentity() // the defender's reply key
		return send(t, "POST", h.api+"/threads/"+h.report+"/replies?epoch=1", wire.MediaTypeAge, h.tBo, "",
			encrypt(t, []byte("reply"), false, append(to, decoy.Recipient())...))
	}
	if r := reply(all...); r.status != 422 {
		t.Errorf("reply to the whole hub: %d %s", r.status, r.body)
	}
	if r := reply(two...); r.status != 201 {
		t.Errorf("reply to the two: %d %s", r.status, r.body)
	}
	// Lifted: the whole hub again, and the two's file can move back.
	if r := send(t, "DELETE", h.api+"/submissions/"+h.report+"/restriction", "", h.tAna, `"1"`, nil); r.status != 200 {
		t.Fatalf("lift: %d %s", r.status, r.body)
	}
	if r := put(h.report, two...); r.status != 422 {
		t.Errorf("replacement to the two after the lift: %d %s", r.status, r.body)
	}
	if r := put(h.report, all...); r.status != 200 {
		t.Errorf("replacement to the whole hub after the lift: %d %s", r.status, r.body)
	}
}

// TestRestrictionHostileInput: every malformed, oversized or unfit
// restriction is refused with a clear error and changes nothing (the
// restriction stays at version 0, the case readable by all).
func TestRestrictionHostileInput(t *testing.T) {
	t.Parallel()
	h := newRestrictedHub(t)
	a, b := h.ana.Recipient().String(), h.bo.Recipient().String()
	stranger, _ := age.GenerateHybridIdentity()
	many := make([]string, wire.MaxRestrictionKeys+1)
	for i := range many {
		x, _ := age.GenerateX25519Identity()
		many[i] = x.Recipient().String()
	}
	huge := make([]string, 80)
	for i := range huge {
		huge[i] = "age1" + strings.Repeat(fmt.Sprintf("%c", 'a'+i%26), wire.MaxRecipientKeySize-4)
	}
	cases := []struct {
		name, id, ifMatch string
		body              []byte
		status            int
		code, says        string
	}{
		{"empty list", h.report, `"0"`, []byte(`{"keys":[]}`), 400, wire.CodeBadRestriction, "empty"},
		{"no keys", h.report, `"0"`, []byte(`{}`), 400, wire.CodeBadRestriction, "no \"keys\""},
		{"null keys", h.report, `"0"`, []byte(`{"keys":null}`), 400, wire.CodeBadRestriction, "no \"keys\""},
		{"duplicate key", h.report, `"0"`, keysBody(a, b, a), 400, wire.CodeBadRestriction, "twice"},
		{"keys twice", h.report, `"0"`, []byte(`{"keys":["` + a + `"],"keys":["` + b + `"]}`), 400, wire.CodeBadRestriction, "twice"},
		{"unknown member", h.report, `"0"`, []byte(`{"keys":["` + a + `"],"labels":["x"]}`), 400, wire.CodeBadRestriction, "unknown member"},
		{"not a key", h.report, `"0"`, keysBody(a, "Responder 2"), 400, wire.CodeBadRestriction, "not an age recipient"},
		{"key not in the manifest", h.report, `"0"`, keysBody(a, stranger.Recipient().String()), 400, wire.CodeBadRestriction, "not one of the hub's current recipients"},
		{"without oneself", h.report, `"0"`, keysBody(b), 400, wire.CodeBadRestriction, "your own key"},
		{"too many keys", h.report, `"0"`, keysBody(append(many, a)...), 400, wire.CodeBadRestriction, "more than 64"},
		{"oversized body", h.report, `"0"`, keysBody(huge...), 413, wire.CodeTooLarge, "at most"},
		{"data after", h.report, `"0"`, append(keysBody(a), []byte(` {}`)...), 400, wire.CodeBadRestriction, "after"},
		{"not JSON", h.report, `"0"`, []byte(`keys=a`), 400, wire.CodeBadRestriction, "not a JSON object"},
		{"stale version", h.report, `"3"`, keysBody(a), 409, wire.CodeStaleVersion, "version 0"},
		{"no If-Match", h.report, "", keysBody(a), 428, wire.CodeVersionRequired, "If-Match"},
		{"bad If-Match", h.report, `W/"0"`, keysBody(a), 400, wire.CodeBadVersion, "If-Match"},
		{"a message, not a case", h.followup, `"0"`, keysBody(a), 400, wire.CodeBadRestriction, "opened it"},
		{"unknown submission", "aaaaaaaaaaaaaaaaaaaaaaaaaa", `"0"`, keysBody(a), 404, wire.CodeNotFound, ""},
	}
	for _, c := range cases {
		r := h.restrict(t, h.tAna, c.id, c.ifMatch, c.body)
		var e wire.ErrorBody
		json.Unmarshal(r.body, &e)
		if r.status != c.status || r.code() != c.code || e.Error == nil || !strings.Contains(e.Error.Message, c.says) {
			t.Errorf("%s: %d %s, want %d %s saying %q", c.name, r.status, r.body, c.status, c.code, c.says)
		}
	}
	r := do(t, "GET", h.api+"/submissions/"+h.report+"/restriction", "", h.tCy, nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"version":0,"keys":[]`) {
		t.Errorf("after the refusals: %d %s", r.status, r.body)
	}
	if l := h.list(t, h.tCy); len(l.Submissions) != 3 || l.Restricted != 0 {
		t.Errorf("Cy's listing after the refusals: %+v", l)
	}
	// A stale change after a real one: the first wins, the second is
	// refused with the current version, the first kept.
	if r := h.restrict(t, h.tAna, h.report, `"0"`, keysBody(a, b)); r.status != 200 {
		t.Fatalf("restrict: %d %s", r.status, r.body)
	}
	if r := h.restrict(t, h.tBo, h.report, `"0"`, keysBody(b)); r.status != 409 || r.header.Get("ETag") != `"1"` {
		t.Errorf("a concurrent change on the same version: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", h.api+"/submissions/"+h.report+"/restriction", "", h.tBo, nil); !strings.Contains(string(r.body), a) {
		t.Errorf("the first change was lost: %s", r.body)
	}
}

// TestRestrictedAlarmNote: an alarm of a restricted case stays in every
// responder's listing (anyone may act on it at once), but its
// acknowledgement's note is served to the case's responders only.
func TestRestrictedAlarmNote(t *testing.T) {
	t.Parallel()
	h := newRestrictedHub(t)
	all := []age.Recipient{h.ana.Recipient(), h.bo.Recipient(), h.cy.Recipient()}
	r := do(t, "POST", h.api+"/submissions?kind=alert", wire.MediaTypeAge, "", bytes.NewReader(encrypt(t, []byte("at the door"), false, all...)))
	if r.status != 201 {
		t.Fatalf("alert: %d %s", r.status, r.body)
	}
	var created wire.SubmissionCreated
	json.Unmarshal(r.body, &created)
	if r := h.restrict(t, h.tAna, created.ID, `"0"`, keysBody(h.ana.Recipient().String(), h.bo.Recipient().String())); r.status != 200 {
		t.Fatalf("restrict: %d %s", r.status, r.body)
	}
	l := listAlarms(t, h.api, h.tCy, "")
	if len(l.Alarms) != 1 || l.Alarms[0].Submission != created.ID {
		t.Fatalf("Cy's alarms: %+v", l)
	}
	note := encrypt(t, []byte("on my way"), false, all...)
	if r := do(t, "POST", h.api+"/alarms/"+l.Alarms[0].ID+"/ack", wire.MediaTypeAge, h.tAna, bytes.NewReader(note)); r.status != 200 {
		t.Fatalf("ack: %d %s", r.status, r.body)
	}
	if a := listAlarms(t, h.api, h.tBo, "").Alarms[0]; a.State != wire.AlarmAcknowledged || a.Note == nil {
		t.Errorf("Bo's alarm: %s, note %v", a.State, a.Note != nil)
	}
	if a := listAlarms(t, h.api, h.tCy, "").Alarms[0]; a.State != wire.AlarmAcknowledged || a.Note != nil || a.By == "" {
		t.Errorf("Cy's alarm: %s by %q, note %v", a.State, a.By, a.Note != nil)
	}
}
