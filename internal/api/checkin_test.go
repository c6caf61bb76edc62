package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/auth"
	"difesa.org/difesa/internal/checkin"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// TestCheckinEndToEnd arms a real timer due in a second on a real server
// with the real scheduler: check-in, duress (answered byte for byte like a
// check-in), a missed deadline, the instructions at the top of the inbox,
// and stop.
func TestCheckinEndToEnd(t *testing.T) {
	t.Parallel()
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	responder, _ := age.GenerateHybridIdentity()
	h, _ := hub.New("h", "", []string{responder.Recipient().String()}, 0, 0)
	authSvc, _ := auth.New(st, nil)
	sched := checkin.NewScheduler(st, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sched.Run(ctx)
	srv := httptest.NewServer(api.New(api.Options{Store: st, Hubs: hub.NewRegistry(h), Auth: authSvc, Checkins: sched, MinCheckinEvery: time.Second}))
	defer srv.Close()
	base := srv.URL + "/api/v1/hubs/h"

	code, _ := codename.Generate()
	duress, _ := codename.Generate()
	enc := func(s string) string { v := api.CheckinVerifier(s); return base64.RawURLEncoding.EncodeToString(v[:]) }
	headers := map[string]string{wire.HeaderCheckinVerifier: enc(code.String()), wire.HeaderDuressVerifier: enc(duress.String())}
	instructions := encrypt(t, []byte("if I stop checking in: call my lawyer"), false, responder.Recipient())

	for _, tt := range []struct {
		name, query string
		headers     map[string]string
		status      int
	}{
		{"too often", "?every=10ms", headers, 400},
		{"too rarely", "?every=2000h", headers, 400},
		{"bad grace", "?every=1h&grace=-1s", headers, 400},
		{"no verifiers", "?every=1h", nil, 400},
		{"same verifiers", "?every=1h", map[string]string{wire.HeaderCheckinVerifier: enc("a"), wire.HeaderDuressVerifier: enc("a")}, 400},
	} {
		if r := doH(t, "POST", base+"/checkins"+tt.query, wire.MediaTypeAge, tt.headers, instructions); r.status != tt.status {
			t.Errorf("arm %s: %d %s", tt.name, r.status, r.body)
		}
	}
	r := doH(t, "POST", base+"/checkins?every=3s&grace=500ms", wire.MediaTypeAge, headers, instructions)
	if r.status != 201 {
		t.Fatalf("arm: %d %s", r.status, r.body)
	}
	var armed wire.CheckinArmed
	json.Unmarshal(r.body, &armed)

	// A check-in typed sloppily, and one with the duress code: identical.
	typed := strings.ToUpper(strings.ReplaceAll(code.String(), "-", "  "))
	normal := doH(t, "POST", base+"/checkin", "application/json", nil, []byte(`{"code":"`+typed+`"}`))
	forced := doH(t, "POST", base+"/checkin", "application/json", nil, []byte(`{"code":"`+duress.String()+`"}`))
	if normal.status != 200 || forced.status != 200 {
		t.Fatalf("check-ins: %d %s / %d %s", normal.status, normal.body, forced.status, forced.body)
	}
	normal.header.Del("Date")
	forced.header.Del("Date")
	if !bytes.Equal(normal.body, forced.body) && !sameShape(normal.body, forced.body) {
		t.Fatalf("duress answer differs:\n%s\n%s", normal.body, forced.body)
	}
	if len(normal.header) != len(forced.header) {
		t.Fatalf("duress headers differ:\n%v\n%v", normal.header, forced.header)
	}
	for k := range normal.header {
		if normal.header.Get(k) != forced.header.Get(k) {
			t.Fatalf("duress header %s differs", k)
		}
	}
	// Through a plain HTML form, as the no-JavaScript page does.
	form := url.Values{"code": {code.String()}}.Encode()
	if r := doH(t, "POST", base+"/checkin", "application/x-www-form-urlencoded", nil, []byte(form)); r.status != 200 {
		t.Fatalf("form check-in: %d %s", r.status, r.body)
	}
	other, _ := codename.Generate()
	for name, body := range map[string]string{
		"unknown code":   `{"code":"` + other.String() + `"}`,
		"not a codename": `{"code":"let me in"}`,
		"empty":          `{"code":""}`,
	} {
		if r := doH(t, "POST", base+"/checkin", "application/json", nil, []byte(body)); r.status != 404 || r.code() != wire.CodeNoCheckin {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	evs, _ := st.Events()
	if len(evs) != 1 || evs[0].Type != wire.EventCheckinDuress || !evs[0].Urgent {
		t.Fatalf("events after duress: %+v", evs)
	}

	// Silence: the real scheduler marks it missed after deadline + grace.
	deadline := time.Now().Add(10 * time.Second)
	for {
		evs, _ = st.Events()
		if len(evs) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the missed check-in never fired")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if evs[1].Type != wire.EventCheckinMissed {
		t.Fatalf("second event %s", evs[1].Type)
	}
	// One alarm, duress, a normal check-in (the form's), then missed:
	// no mark lost, the check-in closed nothing.
	if as, _ := st.Alarms("h"); len(as) != 1 || as[0].Kind != store.AlarmDuress || as[0].State != store.AlarmOpen || len(as[0].Marks) != 3 ||
		as[0].Marks[0].Mark != store.MarkDuress || as[0].Marks[1].Mark != store.MarkCheckedIn || as[0].Marks[2].Mark != store.MarkMissed {
		t.Fatalf("alarms: %+v", as)
	}
	// The instructions lead the responder's inbox, marked missed.
	token := login(t, base, responder)
	alert := encrypt(t, []byte("alert"), false, responder.Recipient())
	doH(t, "POST", base+"/submissions?kind=alert", wire.MediaTypeAge, nil, alert)
	doH(t, "POST", base+"/submissions", wire.MediaTypeAge, nil, alert)
	var list wire.SubmissionList
	json.Unmarshal(do(t, "GET", base+"/submissions", "", token, nil).body, &list)
	if len(list.Submissions) != 3 || list.Submissions[0].ID != armed.ID || list.Submissions[0].Checkin != "missed" || list.Submissions[1].Kind != wire.KindAlert {
		t.Fatalf("inbox order: %+v", list.Submissions)
	}

	// Stopping with the duress code answers like a stop and keeps the timer.
	if r := doH(t, "POST", base+"/checkin/stop", "application/json", nil, []byte(`{"code":"`+duress.String()+`"}`)); r.status != 204 {
		t.Fatalf("duress stop: %d", r.status)
	}
	if cs, _ := st.Checkins("h"); len(cs) != 1 {
		t.Fatal("the duress code stopped the timer")
	}
	if r := doH(t, "POST", base+"/checkin/stop", "application/json", nil, []byte(`{"code":"`+code.String()+`"}`)); r.status != 204 {
		t.Fatalf("stop: %d", r.status)
	}
	if r := doH(t, "POST", base+"/checkin", "application/json", nil, []byte(`{"code":"`+code.String()+`"}`)); r.status != 404 {
		t.Fatalf("check-in after stop: %d", r.status)
	}
}

// sameShape reports whether two check-in answers differ only in the
// deadline's seconds (they were made a moment apart).
func sameShape(a, b []byte) bool {
	var x, y wire.CheckinDone
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	tx, err1 := time.Parse(time.RFC3339, x.NextDeadline)
	ty, err2 := time.Parse(time.RFC3339, y.NextDeadline)
	return err1 == nil && err2 == nil && len(a) == len(b) && ty.Sub(tx) < 2*time.Second && ty.Sub(tx) >= 0
}
