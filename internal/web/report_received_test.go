package web_test

// What the Chromium and the Firefox report flows check once the page has
// shown its codename: the responder's side, the same in both browsers.

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

// sentReport is what a flow gave the page to send.
type sentReport struct {
	category, narrative, where, when string
	language                         string
	files                            map[string][]byte
}

// receivedReport is the report a flow sent, as the responder found it.
type receivedReport struct {
	resp   *responder
	sub    wire.Submission
	opened *bundle.Opened
}

// checkReportReceived parses the codename the page showed and checks, as
// the responder logged in to api, that the hub holds exactly one
// submission: a report with want's fields, files and language, whose
// reply recipient is the codename's.
func checkReportReceived(t *testing.T, api string, id *age.HybridIdentity, shown string, want sentReport) receivedReport {
	t.Helper()
	cn, err := codename.Parse(shown)
	if err != nil {
		t.Fatalf("the page shows %q, not a codename: %v", shown, err)
	}
	keys, err := codename.Derive(cn, "demo")
	if err != nil {
		t.Fatal(err)
	}
	resp := login(t, api, id)
	subs := resp.submissions()
	if len(subs) != 1 || subs[0].Kind != "report" {
		t.Fatalf("submissions: %+v", subs)
	}
	o, files := resp.open(subs[0].ID)
	if o.Report.Narrative != want.narrative || o.Report.Category != want.category || o.Report.Where != want.where || o.Report.When != want.when {
		t.Errorf("report read back as %+v", o.Report)
	}
	for name, body := range want.files {
		if !bytes.Equal(files[name], body) {
			t.Errorf("attachment %q: %d bytes, want %d (%d files)", name, len(files[name]), len(body), len(files))
		}
	}
	if o.Envelope.ReplyRecipient != keys.Recipient || o.Envelope.Language != want.language {
		t.Errorf("envelope %+v: not the codename's reply recipient, or not in %s", o.Envelope, want.language)
	}
	return receivedReport{resp: resp, sub: subs[0], opened: o}
}

// reply sends, as the responder, a reply in lang with text and one
// attachment (name, "stay\n") to the hub and the report's reply key.
func (r receivedReport) reply(t *testing.T, srv *testserver.Server, id *age.HybridIdentity, lang, text, name string) {
	t.Helper()
	var rb bytes.Buffer
	bundle.Write(&rb, bundle.NewEnvelope(bundle.KindReply, lang, time.Now()), &bundle.Report{Category: "other", Narrative: text},
		[]bundle.Attachment{{Name: name, Size: 5, Body: strings.NewReader("stay\n")}})
	replyKey, _ := age.ParseHybridRecipient(r.opened.Envelope.ReplyRecipient)
	ct := encrypt(t, rb.Bytes(), false, id.Recipient(), replyKey)
	if res := r.resp.do("POST", fmt.Sprintf("/threads/%s/replies?epoch=%d", r.sub.ID, hubEpoch(t, srv)), wire.MediaTypeAge, ct); res.status != 201 {
		t.Fatalf("reply: %d %s", res.status, res.body)
	}
}
