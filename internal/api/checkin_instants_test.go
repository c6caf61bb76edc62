package api_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/auth"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/wire"
)

// TestTimesAtInstants arms a check-in, checks in and submits a report on
// a server whose clock is at each instant: deadlines are rounded up to
// the minute and arrival times down to the hour (or the day) in UTC,
// across day, month and year ends and whatever the server's zone.
func TestTimesAtInstants(t *testing.T) {
	t.Parallel()
	responder, _ := age.GenerateHybridIdentity()
	minuteUp := func(t time.Time) string {
		u := t.UTC()
		if u.Second() != 0 || u.Nanosecond() != 0 {
			u = time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute()+1, 0, 0, time.UTC)
		}
		return u.Format(time.RFC3339)
	}
	for _, in := range instants.All(t) {
		for _, gran := range []time.Duration{time.Hour, 24 * time.Hour} {
			t.Run(in.Name+"/"+gran.String(), func(t *testing.T) {
				t.Parallel()
				c := instants.NewClock(in.T)
				st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{Now: c.Now})
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				h, _ := hub.New("h", "", []string{responder.Recipient().String()}, 0, gran)
				authSvc, _ := auth.New(st, nil)
				srv := httptest.NewServer(api.New(api.Options{Store: st, Hubs: hub.NewRegistry(h), Auth: authSvc, Now: c.Now}))
				defer srv.Close()
				base := srv.URL + "/api/v1/hubs/h"

				u := in.T.UTC()
				wantReceived := time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), 0, 0, 0, time.UTC)
				if gran == 24*time.Hour {
					wantReceived = time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
				}
				received := func(id string) {
					t.Helper()
					sid, err := store.ParseID(id)
					if err != nil {
						t.Fatal(err)
					}
					sub, err := st.Submission("h", sid)
					if err != nil || !sub.Received.Equal(wantReceived) {
						t.Fatalf("received %v (%v), want %v", sub.Received, err, wantReceived)
					}
				}

				code, _ := codename.Generate()
				duress, _ := codename.Generate()
				enc := func(s string) string { v := api.CheckinVerifier(s); return base64.RawURLEncoding.EncodeToString(v[:]) }
				headers := map[string]string{wire.HeaderCheckinVerifier: enc(code.String()), wire.HeaderDuressVerifier: enc(duress.String())}
				r := doH(t, "POST", base+"/checkins?every=24h&grace=2h", wire.MediaTypeAge, headers, encrypt(t, []byte("call my lawyer"), false, responder.Recipient()))
				var armed wire.CheckinArmed
				if r.status != 201 || json.Unmarshal(r.body, &armed) != nil {
					t.Fatalf("arm: %d %s", r.status, r.body)
				}
				if want := minuteUp(in.T.Add(24 * time.Hour)); armed.Deadline != want {
					t.Errorf("deadline %s, want %s", armed.Deadline, want)
				}
				received(armed.ID)

				c.Advance(90*time.Minute + 17*time.Second)
				r = doH(t, "POST", base+"/checkin", "application/json", nil, []byte(`{"code":"`+code.String()+`"}`))
				var done wire.CheckinDone
				if r.status != 200 || json.Unmarshal(r.body, &done) != nil {
					t.Fatalf("check-in: %d %s", r.status, r.body)
				}
				if want := minuteUp(c.Now().Add(24 * time.Hour)); done.NextDeadline != want {
					t.Errorf("next deadline %s, want %s", done.NextDeadline, want)
				}

				c.Set(in.T)
				r = doH(t, "POST", base+"/submissions", wire.MediaTypeAge, nil, encrypt(t, []byte("report"), false, responder.Recipient()))
				var created wire.SubmissionCreated
				if r.status != 201 || json.Unmarshal(r.body, &created) != nil {
					t.Fatalf("submit: %d %s", r.status, r.body)
				}
				received(created.ID)
			})
		}
	}
}
