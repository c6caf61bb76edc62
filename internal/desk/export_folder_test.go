package desk

import (
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/testutil/tool"
)

// "Write a folder" on the case page writes the export into the desk's
// export folder (created 0700, named on the page): the case's folder,
// files 0600, whose SHA256SUMS checks with sha256sum -c, the files under
// their hostile names made safe and inside it. The page then says where
// it went; writing again refuses and overwrites nothing; encrypted, it is
// one .tar.age file that opens with the recipient's key.
func TestExportWritesFolder(t *testing.T) {
	sha256sum := tool.Need(t, "sha256sum", "apt-get install coreutils")
	f := newHubFixture(t)
	id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "threats", Narrative: "for the lawyer, on disk"},
		file("SHA256SUMS", []byte("0000  ../../escape\n")), file("Scan.pdf", pdfBytes), file("scan.PDF", []byte("the same name on macOS")),
		file("\u202efdp.exe", []byte("right-to-left")), file(".."+strings.Repeat("x", 240)+".pdf", []byte("long")), file("CON", []byte("windows device")))
	exports := filepath.Join(t.TempDir(), "difesa-exports")
	d := f.start(t, func(o *Options) { o.ExportDir = exports })
	f.waitFor(t, "the report", func(p casebook.Page) bool { return p.Total == 1 })
	c, csrf := d.session(t)
	u := caseURL(demoHub, id)

	if a := d.get(t, c, u); !strings.Contains(a.body, `value="folder"`) || !strings.Contains(a.body, exports) {
		t.Fatalf("the case page does not offer a folder in %s: %s", exports, a.body)
	}
	if _, err := os.Stat(exports); !os.IsNotExist(err) {
		t.Fatalf("the export folder exists before any export: %v", err)
	}
	a := d.post(t, c, u+"/export", url.Values{"csrf": {csrf}, "protect": {"none"}, "to": {"folder"}})
	if a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != u+"?done=export_folder" {
		t.Fatalf("write a folder: %s %v %s", a.Status, a.Header, a.body)
	}
	if fi, err := os.Stat(exports); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("export folder: %v %v", fi, err)
	}
	entries, _ := os.ReadDir(exports)
	if len(entries) != 1 || !entries[0].IsDir() || entries[0].Name() != "case-"+id {
		t.Fatalf("the export folder holds %v", entries)
	}
	dir := filepath.Join(exports, entries[0].Name())
	page := d.get(t, c, a.Header.Get("Location"))
	if !strings.Contains(page.body, `id="export-written"`) || !strings.Contains(page.body, dir) {
		t.Fatalf("the page does not say where the export went (%s): %s", dir, page.body)
	}
	var got []string
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := e.Info()
		rel, _ := filepath.Rel(dir, p)
		if want := fs.FileMode(0o600); e.IsDir() && fi.Mode().Perm() != 0o700 || !e.IsDir() && fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v", rel, fi.Mode().Perm())
		}
		if !e.IsDir() {
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(got)
	t.Logf("the case folder: %q", got)
	for _, want := range []string{"original.age", "case.html", "case.txt", "SHA256SUMS"} {
		if !contains(got, want) {
			t.Errorf("the folder lacks %s: %q", want, got)
		}
	}
	var attached int
	for _, g := range got {
		if strings.HasPrefix(g, "attachments/") {
			attached++
			if strings.Count(g, "/") != 1 || strings.Contains(g, "..") || strings.Contains(g, `\`) {
				t.Errorf("attachment written as %q", g)
			}
		}
	}
	if attached != 6 {
		t.Errorf("%d attachments in %q", attached, got)
	}
	// Nothing escaped the case's folder, nor the export folder.
	if !contains(got, "attachments/SHA256SUMS") || !contains(got, "attachments/Scan.pdf") || !contains(got, "attachments/scan (2).PDF") ||
		!contains(got, "attachments/_CON") || !contains(got, "attachments/_fdp.exe") {
		t.Errorf("attachments written as %q", got)
	}
	if outside, _ := os.ReadDir(filepath.Dir(exports)); len(outside) != 1 {
		t.Errorf("beside the export folder: %v", outside)
	}
	check := exec.Command(sha256sum, "-c", "--strict", "SHA256SUMS")
	check.Dir = dir
	if out, err := check.CombinedOutput(); err != nil || strings.Count(string(out), ": OK") != len(got)-1 {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "case.txt")); !strings.Contains(string(b), "for the lawyer, on disk") {
		t.Fatalf("case.txt: %s", b)
	}

	// Again: the folder is there; nothing is overwritten.
	before, _ := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	os.WriteFile(filepath.Join(dir, "case.txt"), []byte("the responder's own notes"), 0o600)
	a = d.post(t, c, u+"/export", url.Values{"csrf": {csrf}, "protect": {"none"}, "to": {"folder"}})
	if a.StatusCode != http.StatusConflict || !strings.Contains(a.body, "nothing was overwritten") {
		t.Fatalf("second write: %s %s", a.Status, a.body)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "case.txt")); string(b) != "the responder's own notes" {
		t.Fatal("an existing export was overwritten")
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "SHA256SUMS")); string(after) != string(before) {
		t.Fatal("an existing export was changed")
	}

	// Encrypted to a recipient: one .tar.age file beside it, never twice.
	them, _ := age.GenerateX25519Identity()
	form := url.Values{"csrf": {csrf}, "protect": {"recipient"}, "recipient": {them.Recipient().String()}, "to": {"folder"}}
	if a = d.post(t, c, u+"/export", form); a.StatusCode != http.StatusSeeOther {
		t.Fatalf("write an encrypted export: %s %s", a.Status, a.body)
	}
	archive := filepath.Join(exports, "case-"+id+".tar.age")
	fi, err := os.Stat(archive)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("encrypted export: %v %v", fi, err)
	}
	af, _ := os.Open(archive)
	defer af.Close()
	plain, err := age.Decrypt(af, them)
	if err != nil {
		t.Fatalf("the encrypted export does not open with the recipient's key: %v", err)
	}
	if names := tarNames(t, plain); !contains(names, "case-"+id+"/SHA256SUMS") {
		t.Fatalf("encrypted export holds %q", names)
	}
	if a = d.post(t, c, u+"/export", form); a.StatusCode != http.StatusConflict {
		t.Fatalf("second encrypted write: %s", a.Status)
	}
}

// A desk without an export folder offers downloads only, and refuses a
// folder; an unknown destination is refused.
func TestExportFolderNeedsAFolder(t *testing.T) {
	f := newHubFixture(t)
	id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "threats", Narrative: "x"})
	d := f.start(t)
	f.waitFor(t, "the report", func(p casebook.Page) bool { return p.Total == 1 })
	c, csrf := d.session(t)
	u := caseURL(demoHub, id)
	if a := d.get(t, c, u); strings.Contains(a.body, `value="folder"`) {
		t.Fatal("a folder is offered without an export folder")
	}
	for _, to := range []string{"folder", "../x", "tar"} {
		if a := d.post(t, c, u+"/export", url.Values{"csrf": {csrf}, "protect": {"none"}, "to": {to}}); a.StatusCode != http.StatusBadRequest {
			t.Errorf("to=%s: %s", to, a.Status)
		}
	}
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// An export folder that other users may change (mode 0777, as /tmp
// without its sticky bit) gets nothing: they could swap the case's folder
// for a link, or read what is written.
func TestExportFolderRefusesSharedFolder(t *testing.T) {
	f := newHubFixture(t)
	id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "threats", Narrative: "not for the neighbours"})
	exports := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(exports, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(exports, 0o777); err != nil {
		t.Fatal(err)
	}
	d := f.start(t, func(o *Options) { o.ExportDir = exports })
	f.waitFor(t, "the report", func(p casebook.Page) bool { return p.Total == 1 })
	c, csrf := d.session(t)
	a := d.post(t, c, caseURL(demoHub, id)+"/export", url.Values{"csrf": {csrf}, "protect": {"none"}, "to": {"folder"}})
	if a.StatusCode != http.StatusForbidden || !strings.Contains(a.body, "-exports") {
		t.Fatalf("shared export folder: %s %s", a.Status, a.body)
	}
	if es, _ := os.ReadDir(exports); len(es) != 0 {
		t.Fatalf("written into a shared folder: %v", es)
	}
}
