package api_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

func listAlarms(t *testing.T, api, token, query string) wire.AlarmList {
	t.Helper()
	r := do(t, "GET", api+"/alarms"+query, "", token, nil)
	if r.status != 200 {
		t.Fatalf("alarms%s: %d %s", query, r.status, r.body)
	}
	var l wire.AlarmList
	if err := json.Unmarshal(r.body, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestAlarmsAPI: an alert opens an alarm that the listing shows and a
// stream that connects later replays; an acknowledgement with an
// encrypted note closes it once, names the responder's label in the audit
// log (never the note), and ends the replay; unknown ids, hostile notes
// and missing logins get their stable errors.
func TestAlarmsAPI(t *testing.T) {
	t.Parallel()
	id, _ := age.GenerateHybridIdentity()
	es := newEventsServer(t, id)
	labelled := next(t, es.hub.AdminKey, es.hub.Signed, manifest.SetLabel(id.Recipient().String(), "desk one"))
	if r := publish(t, es.api, labelled); r.status != 201 {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	token := login(t, es.api, id)
	alert := encrypt(t, []byte("they are at the door"), false, id.Recipient())
	if r := do(t, "POST", es.api+"/submissions?kind=alert", wire.MediaTypeAge, "", bytes.NewReader(alert)); r.status != 201 {
		t.Fatalf("alert: %d %s", r.status, r.body)
	}
	if r := do(t, "POST", es.api+"/submissions", wire.MediaTypeAge, "", bytes.NewReader(alert)); r.status != 201 {
		t.Fatalf("report: %d %s", r.status, r.body)
	}
	l := listAlarms(t, es.api, token, "")
	if len(l.Alarms) != 1 || l.More {
		t.Fatalf("alarms: %+v", l)
	}
	a := l.Alarms[0]
	if a.Kind != wire.AlarmAlert || a.State != wire.AlarmOpen || len(a.Marks) != 1 || a.Opened != "2026-11-23T23:00:00Z" {
		t.Fatalf("alarm: %+v", a)
	}
	if again := listAlarms(t, es.api, token, "?after="+l.Next); len(again.Alarms) != 0 {
		t.Fatalf("after the last page: %+v", again)
	}

	// A stream connecting now replays the open alarm before anything live.
	s := openStream(t, es.api, token)
	if ev := s.next(t); ev != wire.EventAlarmOpen {
		t.Fatalf("first event %q, want the replay", ev)
	}
	es.isLive(t, s)

	for name, tc := range map[string]struct {
		path, ctype, token string
		body               []byte
		status             int
		code               string
	}{
		"unknown id":    {"/alarms/" + strings.Repeat("a", 26) + "/ack", "", token, nil, 404, wire.CodeNoAlarm},
		"malformed id":  {"/alarms/nope/ack", "", token, nil, 404, wire.CodeNoAlarm},
		"no login":      {"/alarms/" + a.ID + "/ack", "", "", nil, 401, wire.CodeUnauthorized},
		"oversized":     {"/alarms/" + a.ID + "/ack", wire.MediaTypeAge, token, encrypt(t, make([]byte, wire.MaxAlarmNote), false, id.Recipient()), 413, wire.CodeTooLarge},
		"huge file":     {"/alarms/" + a.ID + "/ack", wire.MediaTypeAge, token, make([]byte, wire.MaxAlarmNoteFile+1), 413, wire.CodeTooLarge},
		"not age":       {"/alarms/" + a.ID + "/ack", wire.MediaTypeAge, token, []byte("ok, on my way"), 400, wire.CodeBadAgeHeader},
		"wrong type":    {"/alarms/" + a.ID + "/ack", "text/html", token, encrypt(t, []byte("x"), false, id.Recipient()), 415, wire.CodeUnsupportedType},
		"one too many":  {"/alarms/" + a.ID + "/ack", wire.MediaTypeAge, token, encrypt(t, []byte("x"), false, id.Recipient(), mustHybrid(t)), 422, wire.CodeRecipientMismatch},
		"truncated age": {"/alarms/" + a.ID + "/ack", wire.MediaTypeAge, token, encrypt(t, []byte("x"), false, id.Recipient())[:200], 400, ""},
	} {
		r := do(t, "POST", es.api+tc.path, tc.ctype, tc.token, bytes.NewReader(tc.body))
		if r.status != tc.status || (tc.code != "" && r.code() != tc.code) {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	if got := listAlarms(t, es.api, token, ""); got.Alarms[0].State != wire.AlarmOpen {
		t.Fatal("a refused acknowledgement closed the alarm")
	}

	note := encrypt(t, []byte("called the lawyer"), false, id.Recipient())
	r := do(t, "POST", es.api+"/alarms/"+a.ID+"/ack", wire.MediaTypeAge, token, bytes.NewReader(note))
	var acked wire.Alarm
	json.Unmarshal(r.body, &acked)
	if r.status != 200 || acked.State != wire.AlarmAcknowledged || acked.By != "desk one" || !bytes.Equal(acked.Note, note) || acked.Acknowledged != "2026-11-23T23:00:00Z" {
		t.Fatalf("ack: %d %s", r.status, r.body)
	}
	r = do(t, "POST", es.api+"/alarms/"+a.ID+"/ack", "", token, nil)
	var again wire.Alarm
	json.Unmarshal(r.body, &again)
	if r.status != 200 || !bytes.Equal(again.Note, note) {
		t.Fatalf("second ack: %d %s", r.status, r.body)
	}

	var log wire.AuditLog
	json.Unmarshal(do(t, "GET", es.api+"/audit", "", token, nil).body, &log)
	n := 0
	for _, ev := range log.Events {
		if ev.Event == wire.EventAlarmAcknowledged {
			n++
			if ev.Alarm != a.ID || ev.By != "desk one" || ev.Time != "2026-11-23T23:00:00Z" {
				t.Fatalf("audit entry: %+v", ev)
			}
		}
	}
	raw := do(t, "GET", es.api+"/audit", "", token, nil).body
	if n != 1 || bytes.Contains(raw, []byte("age-encryption")) {
		t.Fatalf("audit: %d acknowledgements in %s", n, raw)
	}

	// Acknowledged: no replay any more.
	s2 := openStream(t, es.api, token)
	es.isLive(t, s2)
	if got := listAlarms(t, es.api, token, ""); got.Alarms[0].State != wire.AlarmAcknowledged {
		t.Fatalf("after the ack: %+v", got)
	}
}

func mustHybrid(t *testing.T) age.Recipient {
	t.Helper()
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return id.Recipient()
}

// TestAlarmsCursor: a malformed cursor is 400 bad_cursor.
func TestAlarmsCursor(t *testing.T) {
	t.Parallel()
	id, _ := age.GenerateHybridIdentity()
	es := newEventsServer(t, id)
	token := login(t, es.api, id)
	for _, c := range []string{"x", "1", "2.1", "0.-1", "0.01", "0.1.1"} {
		if r := do(t, "GET", es.api+"/alarms?after="+c, "", token, nil); r.status != 400 || r.code() != wire.CodeBadCursor {
			t.Errorf("cursor %q: %d %s", c, r.status, r.body)
		}
	}
	if r := do(t, "GET", es.api+"/alarms", "", "", nil); r.status != 401 {
		t.Errorf("no login: %d", r.status)
	}
}
