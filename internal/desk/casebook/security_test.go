package casebook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/export"
	"difesa.org/difesa/internal/vault"
	"difesa.org/difesa/internal/wire"
)

// TestStolenLaptop: the desk folder opens nothing without the responder's
// identity, nor with a passphrase-protected identity whose passphrase is
// not known.
func TestStolenLaptop(t *testing.T) {
	f := newFixture(t)
	sid, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "secret"}, nil, false)
	b := f.open(t)
	syncAll(t, b)
	if _, err := b.EditCase(context.Background(), demoHub, sid, AddNote("a note "+canary)); err != nil {
		t.Fatal(err)
	}
	b.Close()

	thief, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	o := f.options(thief)
	o.Recipient = thief.Recipient()
	if _, err := Open(o); !errors.Is(err, vault.ErrForeignIdentity) {
		t.Fatalf("Open with another identity: %v, want vault.ErrForeignIdentity", err)
	}
	o = f.options()
	o.Identities = nil
	if _, err := Open(o); err == nil {
		t.Fatal("Open without an identity succeeded")
	}

	// The responder's identity file, protected by a passphrase as
	// "difesa keygen -passphrase" writes it.
	sr, err := age.NewScryptRecipient("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	sr.SetWorkFactor(10)
	var file bytes.Buffer
	w, _ := age.Encrypt(&file, sr)
	io.WriteString(w, f.id.String()+"\n")
	w.Close()
	unlock := func(pass string) ([]age.Identity, error) {
		si, err := age.NewScryptIdentity(pass)
		if err != nil {
			return nil, err
		}
		r, err := age.Decrypt(bytes.NewReader(file.Bytes()), si)
		if err != nil {
			return nil, err
		}
		return age.ParseIdentities(r)
	}
	if ids, err := unlock("wrong passphrase"); err == nil {
		t.Fatalf("the identity file opened with a wrong passphrase: %d identities", len(ids))
	}
	ids, err := unlock("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	b, err = Open(f.options(ids...))
	if err != nil {
		t.Fatalf("Open with the unlocked identity: %v", err)
	}
	if p := mustInbox(t, b, Filter{}); p.Total != 1 {
		t.Fatalf("with the identity, %d cases, want 1", p.Total)
	}
	if c, err := b.Case(demoHub, sid); err != nil || len(c.Work.Notes) != 1 {
		t.Fatalf("with the identity, the case work: %+v, %v", c, err)
	}
	b.Close()
	if found := scanDir(t, f.dir, canary); len(found) != 0 {
		t.Fatalf("the desk folder holds the case note in plaintext: %q", found)
	}
}

// canary is the plaintext no file of the desk folder may hold.
const canary = "CANARY-d3sk-7f1c9a"

// TestCanaryScan: after a whole session (sync, read, search, reply,
// status, export, acknowledgement, purge of nothing), no byte of the desk
// folder nor of its log holds the canary, in any case.
func TestCanaryScan(t *testing.T) {
	f := newFixture(t)
	id, keys := f.submit(t, bundle.KindReport, &bundle.Report{
		Category: "other", Narrative: "narrative " + canary, Where: canary, Who: canary, Contact: canary,
	}, map[string][]byte{canary + ".txt": []byte("file " + canary)}, false)
	f.followup(t, keys, "follow-up "+canary)
	f.submit(t, bundle.KindAlert, &bundle.Report{Category: "other", Narrative: canary}, nil, true)
	// Case work a colleague wrote: a label, a note and an assignee
	// carrying the canary.
	col := f.responder(t)
	ids := []age.Identity{f.id}
	colleagueSettings(t, col, ids, []string{"label " + canary, "other label"}, []string{"status " + canary})
	colleagueWrite(t, col, ids, id, func(r *caserecord.Record) error {
		if err := r.AddLabel("label " + canary); err != nil {
			return err
		}
		if err := r.Set(caserecord.FieldAssignee, "assignee "+canary, "colleague "+canary, "2026-11-23T12:00:00Z"); err != nil {
			return err
		}
		_, err := r.AddNote("colleague "+canary, "2026-11-23T12:00:00Z", "note "+canary, "")
		return err
	})

	var logMu sync.Mutex
	var logs strings.Builder
	o := f.options()
	o.Logf = func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(&logs, format+"\n", args...)
	}
	b, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	syncAll(t, b)
	if p, err := b.Search(Filter{Query: canary}); err != nil || p.Total != 2 {
		t.Fatalf("search for the canary: %d, %v", p.Total, err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.MarkRead(demoHub, id))
	must(b.Reply(ctx, demoHub, id, "reply "+canary, []File{{Name: canary + ".pdf", Data: []byte(canary)}}))
	must(b.SetStatus(ctx, demoHub, id, wire.StatusInProgress))
	if c, err := b.Case(demoHub, id); err != nil || c.Work.Assignee != "assignee "+canary || len(c.Work.Notes) != 1 {
		t.Fatalf("the case work synced: %+v, %v", c, err)
	}
	_, err = b.EditCase(ctx, demoHub, id, AddNote("my note "+canary))
	must(err)
	_, err = b.EditCase(ctx, demoHub, id, SetSubStatus("status "+canary))
	must(err)
	must(b.EditSettings(ctx, demoHub, EditList(false, true, "new label "+canary)))
	if p := mustInbox(t, b, Filter{Label: "label " + canary, Assignee: "assignee " + canary}); p.Total != 1 {
		t.Fatalf("filtered by the canary label and assignee: %d cases", p.Total)
	}
	x, err := b.ExportCase(demoHub, id)
	must(err)
	if len(x.Attachments) != 1 || !strings.Contains(x.Narrative, canary) || len(x.Ciphertext) == 0 {
		t.Fatalf("export = %+v", x)
	}
	var buf bytes.Buffer
	must(export.Write(&buf, x, export.Options{}))
	p := mustInbox(t, b, Filter{})
	for _, a := range p.Alarms {
		must(b.Ack(ctx, demoHub, a.ID, "note "+canary))
	}
	syncAll(t, b)
	if _, err := b.Purge(365); err != nil {
		t.Fatal(err)
	}
	if c, err := b.Case(demoHub, id); err != nil || len(c.Thread) != 2 || len(c.Work.Notes) != 2 {
		t.Fatalf("after the session, the case: %+v, %v", c, err)
	}
	must(b.Close())

	scan := func(what string, data []byte) {
		t.Helper()
		low := bytes.ToLower(data)
		for _, needle := range []string{canary, strings.ToLower(canary), "d3sk-7f1c9a"} {
			if bytes.Contains(low, []byte(strings.ToLower(needle))) {
				t.Errorf("%s holds the canary", what)
			}
		}
	}
	n := 0
	err = filepath.WalkDir(f.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		scan(path, data)
		return nil
	})
	must(err)
	if n == 0 {
		t.Fatal("the desk folder is empty")
	}
	scan("the desk's log", []byte(logs.String()))
}

// TestHostileContent: markup, NUL bytes, control characters and huge
// fields are kept and returned exactly as sent, never crash the desk and
// never become a vault key.
func TestHostileContent(t *testing.T) {
	f := newFixture(t)
	huge := strings.Repeat("A<b>&\"'", 100_000) // 700 kB in one field
	hostile := "<script>alert(1)</script><img src=x onerror=alert(2)>\x00\x1b[31m\u202e\ufeff"
	rep := &bundle.Report{Category: "other", Narrative: hostile + "\n" + huge, Where: hostile, Who: "../../etc/passwd", Needs: "{{.}}", Contact: "javascript:alert(3)"}
	files := map[string][]byte{
		"<svg onload=alert(4)>.svg": []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(5)"/>`),
		"page.html":                 []byte("<html><script>alert(6)</script></html>"),
		"nul.bin":                   {0, 0, 0, 1},
	}
	id, _ := f.submit(t, bundle.KindReport, rep, files, false)
	b := f.open(t)
	syncAll(t, b)
	b.Close()
	b = f.open(t) // and back from the vault
	c, err := b.Case(demoHub, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Narrative != rep.Narrative {
		t.Fatalf("the narrative changed (%d bytes, want %d)", len(c.Narrative), len(rep.Narrative))
	}
	got := map[string]string{}
	for _, fl := range c.Fields {
		got[fl.Name] = fl.Value
	}
	if got["where"] != hostile || got["who"] != rep.Who || got["needs"] != rep.Needs || got["contact"] != rep.Contact {
		t.Fatalf("fields = %q", got)
	}
	if len(c.Attachments) != len(files) {
		t.Fatalf("attachments = %+v", c.Attachments)
	}
	for _, a := range c.Attachments {
		at, data, err := b.Attachment(demoHub, id, a.N)
		if err != nil {
			t.Fatal(err)
		}
		if want, ok := files[at.Name]; !ok || !bytes.Equal(data, want) {
			t.Fatalf("attachment %q = %q", at.Name, data)
		}
		if at.Image {
			t.Fatalf("%q was taken for an image", at.Name)
		}
	}
	x, err := b.ExportCase(demoHub, id)
	if err != nil {
		t.Fatal(err)
	}
	if x.Narrative != rep.Narrative || len(x.Attachments) != len(files) {
		t.Fatalf("export: narrative of %d bytes, %d attachments", len(x.Narrative), len(x.Attachments))
	}
	for _, a := range x.Attachments {
		if !bytes.Equal(a.Data, files[a.Name]) {
			t.Fatalf("exported %q = %q", a.Name, a.Data)
		}
	}
	if _, _, err := openBundleForTest(x.Ciphertext, f); err != nil {
		t.Fatalf("the export's original ciphertext: %v", err)
	}
	if p, err := b.Search(Filter{Query: "onerror"}); err != nil || p.Total != 1 {
		t.Fatalf("search: %d, %v", p.Total, err)
	}
	if p := mustInbox(t, b, Filter{}); len([]rune(p.Items[0].Subject)) > maxSubject+1 {
		t.Fatalf("subject of %d runes", len([]rune(p.Items[0].Subject)))
	}
	for _, bad := range []Filter{{Offset: -1}, {Limit: -5}} {
		if _, err := b.Inbox(bad); err == nil {
			t.Fatalf("Inbox(%+v) accepted", bad)
		}
	}
	if _, _, err := b.Attachment(demoHub, id, 99); !errors.Is(err, ErrNotFound) {
		t.Fatalf("attachment 99: %v", err)
	}
	if _, err := b.Case(demoHub, "../../x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("case ../../x: %v", err)
	}
}

// openBundleForTest decrypts an original ciphertext with the responder's
// identity, as stock age would.
func openBundleForTest(ct []byte, f *fixture) ([]fileInfo, *bundle.Opened, error) {
	return decrypt(ct, []age.Identity{f.id})
}

// TestDamagedCopy: a download longer than the hub announced (a hostile
// hub) or cut short does not stop the sync: the other reports come in,
// the damaged one says why, and it is downloaded again next time.
func TestDamagedCopy(t *testing.T) {
	f := newFixture(t)
	bad, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "damaged on the way"}, nil, true)
	good, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "fine"}, nil, true)
	for _, tc := range []struct {
		name   string
		mangle func(*http.Response)
	}{
		{"longer", func(r *http.Response) {
			if strings.HasSuffix(r.Request.URL.Path, bad) {
				r.Body = io.NopCloser(io.MultiReader(r.Body, bytes.NewReader(make([]byte, 4096))))
				r.ContentLength = -1
				r.Header.Del("Content-Length")
			}
		}},
		{"shorter", func(r *http.Response) {
			if strings.HasSuffix(r.Request.URL.Path, bad) {
				r.Body = io.NopCloser(io.LimitReader(r.Body, 100))
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.dir = filepath.Join(t.TempDir(), "desk")
			b := f.open(t)
			f.tr.mangle.Store(&tc.mangle)
			syncAll(t, b)
			f.tr.mangle.Store(nil)
			if c, err := b.Case(demoHub, good); err != nil || c.Narrative != "fine" {
				t.Fatalf("the good report: %+v, %v", c, err)
			}
			c, err := b.Case(demoHub, bad)
			if err != nil || c.Err == "" || c.Narrative != "" {
				t.Fatalf("the damaged report: %+v, %v", c, err)
			}
			b.Close()
			b = f.open(t)
			syncAll(t, b)
			if c, err := b.Case(demoHub, bad); err != nil || c.Err != "" || c.Narrative != "damaged on the way" {
				t.Fatalf("downloaded again: %+v, %v", c, err)
			}
		})
	}
}

// scanDir returns the files under dir that hold needle.
func scanDir(t *testing.T, dir, needle string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(needle)) {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}
