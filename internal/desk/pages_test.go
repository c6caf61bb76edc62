package desk

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/wire"
)

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// The inbox puts open alarms first, with Acknowledge; acknowledging from
// the page reaches the hub.
func TestInboxAlarmFirstAndAck(t *testing.T) {
	f := newHubFixture(t)
	report, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "threats", Narrative: "a quiet report"})
	alert, _ := f.submit(t, bundle.KindAlert, &bundle.Report{Category: "other", Narrative: "help now"})
	d := f.start(t)
	p := f.waitFor(t, "both cases and the alarm", func(p casebook.Page) bool { return p.Total == 2 && len(p.Alarms) == 1 })
	c, csrf := d.session(t)
	a := d.get(t, c, "/")
	if a.StatusCode != http.StatusOK {
		t.Fatalf("inbox: %s: %s", a.Status, a.body)
	}
	alarms, items := strings.Index(a.body, `id="alarms"`), strings.Index(a.body, `id="items"`)
	if alarms < 0 || items < 0 || alarms > items {
		t.Fatalf("the alarms do not come first: %s", a.body)
	}
	ack := "/alarm/" + demoHub + "/" + p.Alarms[0].ID + "/ack"
	if !strings.Contains(a.body, `action="`+ack+`"`) || !strings.Contains(a.body, caseURL(demoHub, alert)) || !strings.Contains(a.body, caseURL(demoHub, report)) {
		t.Fatalf("inbox lacks the alarm's form or the cases: %s", a.body)
	}
	if !strings.Contains(a.body, "Unread: 2") || !strings.Contains(a.body, "New: 2") {
		t.Fatalf("counts: %s", a.body)
	}
	r := d.post(t, c, ack, url.Values{"csrf": {csrf}, "note": {"calling the lawyer"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/?done=ack" {
		t.Fatalf("ack: %s %s: %s", r.Status, r.Header.Get("Location"), r.body)
	}
	cl := f.defender(t)
	if err := cl.Login(context.Background(), f.id); err != nil {
		t.Fatal(err)
	}
	list, err := cl.Alarms(context.Background())
	if err != nil || len(list) != 1 || list[0].State != wire.AlarmAcknowledged {
		t.Fatalf("the hub's alarms: %+v %v", list, err)
	}
	if a := d.get(t, c, "/?done=ack"); !strings.Contains(a.body, "Acknowledged") || strings.Contains(a.body, `action="`+ack+`"`) {
		t.Fatalf("after the ack: %s", a.body)
	}
	// Filters narrow the list; a bad filter is refused.
	if a := d.get(t, c, "/?kind=alert"); strings.Contains(a.body, caseURL(demoHub, report)) || !strings.Contains(a.body, caseURL(demoHub, alert)) {
		t.Fatalf("kind filter: %s", a.body)
	}
	for _, q := range []string{"?status=evil", "?month=2026-1", "?offset=-1", "?kind=" + strings.Repeat("x", 300)} {
		if a := d.get(t, c, "/"+q); a.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %s", q, a.Status)
		}
	}
}

// A case shows an image only as re-encoded by internal/media, says when
// the original carried GPS coordinates, and offers every file, and every
// original, only as a download with its SHA-256.
func TestCaseAttachments(t *testing.T) {
	f := newHubFixture(t)
	photo, pdf := jpegWithGPS(40, 30), pdfBytes
	id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "surveillance", Narrative: "they followed me"},
		file("photo.jpg", photo), file("letter.pdf", pdf))
	d := f.start(t)
	f.waitFor(t, "the report", func(p casebook.Page) bool { return p.Total == 1 })
	c, _ := d.session(t)
	cs, err := d.book.Case(demoHub, id)
	if err != nil || len(cs.Attachments) != 2 {
		t.Fatalf("case: %+v %v", cs, err)
	}
	var nPhoto, nPDF int
	for _, a := range cs.Attachments {
		if a.Name == "photo.jpg" {
			nPhoto = a.N
		} else {
			nPDF = a.N
		}
	}
	u := caseURL(demoHub, id)
	a := d.get(t, c, u)
	if a.StatusCode != http.StatusOK {
		t.Fatalf("case: %s: %s", a.Status, a.body)
	}
	for _, want := range []string{`src="` + u + `/preview/` + itoa(nPhoto) + `"`, "GPS coordinates", sha(photo), sha(pdf),
		`href="` + u + `/file/` + itoa(nPDF) + `" download`, "they followed me", "<dt class=\"wrap\">Category</dt><dd class=\"wrap\">Surveillance</dd>"} {
		if !strings.Contains(a.body, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}
	if strings.Contains(a.body, `/preview/`+itoa(nPDF)) {
		t.Error("the PDF has a preview")
	}
	// The preview: a new image, without the EXIF block, never the original.
	p := d.get(t, c, u+"/preview/"+itoa(nPhoto))
	if p.StatusCode != http.StatusOK || p.Header.Get("Content-Type") != "image/jpeg" || p.body == string(photo) ||
		strings.Contains(p.body, "Exif") || !strings.Contains(p.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("preview: %s %v", p.Status, p.Header)
	}
	if p := d.get(t, c, u+"/preview/"+itoa(nPDF)); p.StatusCode != http.StatusNotFound {
		t.Fatalf("the PDF's preview: %s", p.Status)
	}
	// The originals: downloads only, byte for byte.
	for n, want := range map[int][]byte{nPhoto: photo, nPDF: pdf} {
		g := d.get(t, c, u+"/file/"+itoa(n))
		if g.StatusCode != http.StatusOK || g.body != string(want) {
			t.Fatalf("file %d: %s", n, g.Status)
		}
		h := g.Header
		if h.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") ||
			h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox") {
			t.Fatalf("file %d headers: %v", n, h)
		}
	}
	if g := d.get(t, c, u+"/file/99"); g.StatusCode != http.StatusNotFound {
		t.Fatalf("no such file: %s", g.Status)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Reply (with a file), status, search, export and delete, each through
// the desk's pages, as the responder's browser sends them.
func TestCaseActionsThroughPages(t *testing.T) {
	f := newHubFixture(t)
	id, keys := f.submit(t, bundle.KindReport, &bundle.Report{Category: "threats", Narrative: "the mayor threatened me"}, file("note.txt", []byte("evidence")))
	d := f.start(t)
	f.waitFor(t, "the report", func(p casebook.Page) bool { return p.Total == 1 })
	c, csrf := d.session(t)
	u := caseURL(demoHub, id)

	// Reply, with an attachment, as multipart.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrf)
	mw.WriteField("text", "we are on it")
	fw, _ := mw.CreateFormFile("file", "plan.txt")
	fw.Write([]byte("the plan"))
	mw.Close()
	req := newRequest(t, "POST", d.Origin()+u+"/reply", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", d.Origin())
	req.AddCookie(c)
	if a := do(t, req); a.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %s: %s", a.Status, a.body)
	}
	if got := defenderReads(t, f, keys); got != "we are on it" {
		t.Fatalf("the defender read %q", got)
	}

	if a := d.post(t, c, u+"/status", url.Values{"csrf": {csrf}, "status": {"in_progress"}}); a.StatusCode != http.StatusSeeOther {
		t.Fatalf("status: %s: %s", a.Status, a.body)
	}
	if a := d.post(t, c, u+"/status", url.Values{"csrf": {csrf}, "status": {"evil"}}); a.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad status: %s", a.Status)
	}
	f.waitFor(t, "the status", func(p casebook.Page) bool { return p.Total == 1 && p.Items[0].Status == wire.StatusInProgress })

	searchFor := func(words string) answer {
		a := d.post(t, c, "/search", url.Values{"csrf": {csrf}, "q": {words}})
		loc := a.Header.Get("Location")
		if a.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/search?r=") || strings.Contains(loc, words) {
			t.Fatalf("search for %q: %s to %q", words, a.Status, loc)
		}
		return d.get(t, c, loc)
	}
	if a := searchFor("mayor"); !strings.Contains(a.body, u) {
		t.Fatalf("search: %s", a.body)
	}
	if a := d.get(t, c, "/search?q=mayor"); strings.Contains(a.body, u) {
		t.Fatalf("a search in the address ran: its words would stay in the browser's history")
	}
	if a := d.get(t, c, "/search?r="+randomToken()); a.StatusCode != http.StatusSeeOther {
		t.Fatalf("a search this session did not make: %s", a.Status)
	}
	if a := searchFor("nothingmatches"); strings.Contains(a.body, u) {
		t.Fatalf("search found the case for another word")
	}

	// Export to a recipient: an age-encrypted tar with the bundle, the
	// print view, the file and the SHA-256 list.
	them, _ := age.GenerateX25519Identity()
	a := d.post(t, c, u+"/export", url.Values{"csrf": {csrf}, "protect": {"recipient"}, "recipient": {them.Recipient().String()}})
	if a.StatusCode != http.StatusOK || !strings.HasPrefix(a.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("export: %s %v", a.Status, a.Header)
	}
	plain, err := age.Decrypt(strings.NewReader(a.body), them)
	if err != nil {
		t.Fatalf("the export does not open with the recipient's key: %v", err)
	}
	tr := tar.NewReader(plain)
	var names []string
	var found bool
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		b, _ := io.ReadAll(tr)
		if strings.HasSuffix(h.Name, "note.txt") && string(b) == "evidence" {
			found = true
		}
	}
	if !found || len(names) < 4 {
		t.Fatalf("export holds %q", names)
	}
	for _, bad := range []url.Values{{"protect": {"recipient"}, "recipient": {"age1nope"}}, {"protect": {"passphrase"}}, {"protect": {"zip"}}} {
		bad.Set("csrf", csrf)
		if a := d.post(t, c, u+"/export", bad); a.StatusCode != http.StatusBadRequest {
			t.Errorf("export %v: %s", bad, a.Status)
		}
	}

	// Delete: a confirmation page says what is lost; only the confirmed
	// form deletes.
	a = d.get(t, c, u+"/delete")
	for _, want := range []string{"cannot be undone", "messages: 2", "files: 2", "no longer be able to read your replies", `name="confirm" value="yes"`} {
		if !strings.Contains(a.body, want) {
			t.Errorf("the confirmation lacks %q: %s", want, a.body)
		}
	}
	if a := d.post(t, c, u+"/delete", url.Values{"csrf": {csrf}}); a.StatusCode != http.StatusSeeOther || !strings.HasSuffix(a.Header.Get("Location"), "/delete") {
		t.Fatalf("unconfirmed delete: %s %s", a.Status, a.Header.Get("Location"))
	}
	if _, err := d.book.Case(demoHub, id); err != nil {
		t.Fatalf("an unconfirmed delete deleted: %v", err)
	}
	if a := d.post(t, c, u+"/delete", url.Values{"csrf": {csrf}, "confirm": {"yes"}}); a.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %s: %s", a.Status, a.body)
	}
	if a := d.get(t, c, u); a.StatusCode != http.StatusNotFound {
		t.Fatalf("the deleted case: %s", a.Status)
	}
}

// defenderReads returns the text of the last reply the defender reads with
// their codename.
func defenderReads(t *testing.T, f *hubFixture, keys *codename.Keys) string {
	t.Helper()
	ctx := context.Background()
	c := f.defender(t)
	th, err := c.Thread(ctx, client.ThreadToken(keys.Token))
	if err != nil {
		t.Fatal(err)
	}
	reply := ""
	for _, m := range th.Messages {
		if m.Kind != wire.KindReply {
			continue
		}
		var ct bytes.Buffer
		if _, err := c.DownloadMessage(ctx, client.ThreadToken(keys.Token), m.ID, &ct); err != nil {
			t.Fatal(err)
		}
		plain, err := age.Decrypt(&ct, keys.Identity)
		if err != nil {
			t.Fatalf("the defender cannot decrypt the reply: %v", err)
		}
		o, err := bundle.Read(plain, bundle.DefaultLimits, func(string, int64, io.Reader) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		reply = o.Report.Narrative
	}
	return reply
}

// The local data page says how much the desk holds and purges it.
func TestLocalDataPage(t *testing.T) {
	f := newHubFixture(t)
	f.submit(t, bundle.KindReport, &bundle.Report{Category: "threats", Narrative: "one"})
	d := f.start(t)
	f.waitFor(t, "the report", func(p casebook.Page) bool { return p.Total == 1 })
	c, csrf := d.session(t)
	held := regexp.MustCompile(`Records derived from decrypted reports: ([0-9]+) `)
	a := d.get(t, c, "/local")
	m := held.FindStringSubmatch(a.body)
	if m == nil || m[1] == "0" {
		t.Fatalf("local: %s", a.body)
	}
	before, _ := strconv.Atoi(m[1])
	if a := d.post(t, c, "/local/purge", url.Values{"csrf": {csrf}, "what": {"all"}}); a.StatusCode != http.StatusBadRequest {
		t.Fatalf("unconfirmed purge: %s", a.Status)
	}
	if a := d.post(t, c, "/local/purge", url.Values{"csrf": {csrf}, "what": {"older"}, "days": {"0"}}); a.StatusCode != http.StatusBadRequest {
		t.Fatalf("purge of 0 days: %s", a.Status)
	}
	if a := d.post(t, c, "/local/purge", url.Values{"csrf": {csrf}, "what": {"all"}, "confirm": {"yes"}}); a.StatusCode != http.StatusSeeOther {
		t.Fatalf("purge: %s: %s", a.Status, a.body)
	}
	a = d.get(t, c, "/local")
	m = held.FindStringSubmatch(a.body)
	if m == nil {
		t.Fatalf("after the purge: %s", a.body)
	}
	if after, _ := strconv.Atoi(m[1]); after >= before {
		t.Fatalf("after the purge: %s", a.body)
	}
	if a := d.get(t, c, "/"); !strings.Contains(a.body, "No case matches") {
		t.Fatalf("the inbox after the purge: %s", a.body)
	}
}

// The event stream tells the page that a case arrived, and that it is
// urgent, without a word of its content.
func TestEventStream(t *testing.T) {
	f := newHubFixture(t)
	d := f.start(t)
	f.waitFor(t, "the hub", func(casebook.Page) bool { st := d.book.Status(); return len(st) == 1 && st[0].Online })
	c, _ := d.session(t)
	req := newRequest(t, "GET", d.Origin()+"/events", nil)
	req.AddCookie(c)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("events: %v", resp.Header)
	}
	br := bufio.NewReader(resp.Body)
	br.ReadString('\n') // the opening comment
	id, _ := f.submit(t, bundle.KindAlert, &bundle.Report{Category: "other", Narrative: "SECRET-CANARY help now"})
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("the stream ended: %v", err)
		}
		if strings.Contains(line, "SECRET-CANARY") {
			t.Fatal("the stream carries content")
		}
		if strings.HasPrefix(line, "data: ") && strings.Contains(line, id) {
			if !strings.Contains(line, `"urgent":true`) {
				t.Fatalf("the alert is not urgent: %s", line)
			}
			return
		}
	}
}

// Export to a secret phrase opens with age's passphrase identity; without
// protection it is a plain tar.
func TestExportPassphraseAndPlain(t *testing.T) {
	f := newHubFixture(t)
	id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "threats", Narrative: "for the lawyer"}, file("scan.pdf", pdfBytes))
	d := f.start(t)
	f.waitFor(t, "the report", func(p casebook.Page) bool { return p.Total == 1 })
	c, csrf := d.session(t)
	u := caseURL(demoHub, id)
	a := d.post(t, c, u+"/export", url.Values{"csrf": {csrf}, "protect": {"passphrase"}, "passphrase": {"correct horse battery"}})
	if a.StatusCode != http.StatusOK || !strings.Contains(a.Header.Get("Content-Disposition"), ".tar.age") {
		t.Fatalf("export: %s %v", a.Status, a.Header)
	}
	sid, _ := age.NewScryptIdentity("correct horse battery")
	plain, err := age.Decrypt(strings.NewReader(a.body), sid)
	if err != nil {
		t.Fatalf("the export does not open with the phrase: %v", err)
	}
	if names := tarNames(t, plain); !strings.Contains(strings.Join(names, " "), "scan.pdf") {
		t.Fatalf("export holds %q", names)
	}
	a = d.post(t, c, u+"/export", url.Values{"csrf": {csrf}, "protect": {"none"}})
	if names := tarNames(t, strings.NewReader(a.body)); !strings.Contains(strings.Join(names, " "), "scan.pdf") {
		t.Fatalf("plain export holds %q", names)
	}
}

func tarNames(t *testing.T, r io.Reader) []string {
	t.Helper()
	tr := tar.NewReader(r)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
}

// A follow-up is grouped under its report, not a new item: the inbox
// counts it, the case shows it in the conversation.
func TestFollowupGroupedUnderReport(t *testing.T) {
	f := newHubFixture(t)
	id, keys := f.submit(t, bundle.KindReport, &bundle.Report{Category: "threats", Narrative: "first account"})
	f.followup(t, keys, "they came back today")
	d := f.start(t)
	f.waitFor(t, "the report and its follow-up", func(p casebook.Page) bool { return p.Total == 1 && p.Items[0].Followups == 1 })
	c, _ := d.session(t)
	a := d.get(t, c, "/")
	if !strings.Contains(a.body, "follow-ups: 1") || !strings.Contains(a.body, "Cases (1)") {
		t.Fatalf("inbox: %s", a.body)
	}
	a = d.get(t, c, caseURL(demoHub, id))
	th := a.body[strings.Index(a.body, `id="thread"`):]
	if !strings.Contains(th, "From the defender") || !strings.Contains(th, "they came back today") {
		t.Fatalf("the conversation: %s", a.body)
	}
}
