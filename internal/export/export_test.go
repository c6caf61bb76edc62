package export

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/testutil/tool"
	"filippo.io/age"
	"golang.org/x/net/html"
)

const hostile = `<script>fetch("http://127.0.0.1:9/leak")</script>"><img src=x onerror=alert(1)><style>body{}</style>`

func testCase() Case {
	return Case{
		ID:       "abcdefghijklmnopqrstuvwxyz",
		Kind:     "report",
		Category: "detention " + hostile,
		Created:  time.Date(2026, 11, 23, 14, 37, 12, 0, time.UTC),
		Fields: []Field{
			{"place", "Oaxaca, near the market"},
			{"who " + hostile, "two officers\nin uniform " + hostile},
		},
		Narrative: "They took him at 06:10.\nWitnesses: three.\u202eevil\u202c " + hostile,
		Messages: []Message{
			{"defender", time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC), "first message " + hostile},
			{"responder", time.Date(2026, 11, 24, 9, 5, 0, 0, time.UTC), "we are on it"},
		},
		Attachments: []Attachment{
			{"photo.jpg", []byte("not really a jpeg")},
			{"notes.txt", []byte("names and numbers\n")},
		},
		Ciphertext: []byte("age-encryption.org/v1\n-> X25519 fake\n--- x\nciphertext bytes"),
	}
}

// readTar returns the regular files of a tar archive by name, and every
// entry's name.
func readTar(t *testing.T, r io.Reader) (map[string][]byte, []string) {
	t.Helper()
	files := map[string][]byte{}
	var names []string
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files, names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Typeflag == tar.TypeReg {
			b, _ := io.ReadAll(tr)
			files[h.Name] = b
		}
	}
}

func TestTarWithStockTools(t *testing.T) {
	t.Parallel()
	tarPath := tool.Need(t, "tar", "apt-get install tar")
	sumPath := tool.Need(t, "sha256sum", "apt-get install coreutils")
	dir := t.TempDir()
	c := testCase()
	archive := filepath.Join(dir, "case.tar")
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(f, c, Options{}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o700)
	if b, err := exec.Command(tarPath, "-x", "-f", archive, "-C", out).CombinedOutput(); err != nil {
		t.Fatalf("tar -x: %v\n%s", err, b)
	}
	caseDir := filepath.Join(out, "case-"+c.ID)
	check := exec.Command(sumPath, "-c", "--strict", "SHA256SUMS")
	check.Dir = caseDir
	b, err := check.CombinedOutput()
	if err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, b)
	}
	if n := strings.Count(string(b), ": OK"); n != 5 {
		t.Errorf("sha256sum checked %d files, want 5:\n%s", n, b)
	}
	for name, want := range map[string][]byte{
		"original.age":          c.Ciphertext,
		"attachments/photo.jpg": c.Attachments[0].Data,
		"attachments/notes.txt": c.Attachments[1].Data,
	} {
		if got, _ := os.ReadFile(filepath.Join(caseDir, name)); !bytes.Equal(got, want) {
			t.Errorf("%s: %q", name, got)
		}
	}
	text, _ := os.ReadFile(filepath.Join(caseDir, "case.txt"))
	for _, want := range []string{"They took him at 06:10.", "Received: 2026-11-23 (UTC)", "responder, 2026-11-24:"} {
		if !bytes.Contains(text, []byte(want)) {
			t.Errorf("case.txt lacks %q:\n%s", want, text)
		}
	}
	// Days only: no time of day anywhere, in the views or the archive.
	for _, name := range []string{"case.txt", "case.html"} {
		b, _ := os.ReadFile(filepath.Join(caseDir, name))
		if bytes.Contains(b, []byte("14:37")) || bytes.Contains(b, []byte("09:05")) {
			t.Errorf("%s shows a time of day", name)
		}
	}
	if bytes.ContainsRune(text, '\u202e') {
		t.Error("case.txt keeps a bidirectional override")
	}
	af, _ := os.Open(archive)
	defer af.Close()
	tr := tar.NewReader(af)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		if !h.ModTime.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: mtime %v, want the case's day", h.Name, h.ModTime)
		}
	}
}

// buildAge builds the stock age command and its batchpass plugin from
// the module difesa depends on (the age CLI is not installed here).
func buildAge(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the age command; skipped in -short")
	}
	tool.Need(t, "go", "install Go")
	bin := t.TempDir()
	for _, cmd := range []string{"age", "age-plugin-batchpass"} {
		build := exec.Command("go", "build", "-o", filepath.Join(bin, cmd), "filippo.io/age/cmd/"+cmd)
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building %s: %v\n%s", cmd, err, out)
		}
	}
	return bin
}

func TestEncryptedWithStockAge(t *testing.T) {
	tarPath := tool.Need(t, "tar", "apt-get install tar")
	bin := buildAge(t)
	old := scryptWorkFactor
	scryptWorkFactor = 10
	t.Cleanup(func() { scryptWorkFactor = old })
	dir := t.TempDir()
	id, _ := age.GenerateHybridIdentity()
	keyFile := filepath.Join(dir, "key.txt")
	os.WriteFile(keyFile, []byte(id.String()+"\n"), 0o600)
	c := testCase()

	for _, tc := range []struct {
		name string
		o    Options
		args []string
		env  string
	}{
		{"recipient", Options{Recipients: []age.Recipient{id.Recipient()}}, []string{"-d", "-i", keyFile}, ""},
		{"passphrase", Options{Passphrase: "lawyer's passphrase"}, []string{"-d", "-j", "batchpass"}, "AGE_PASSPHRASE=lawyer's passphrase"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			archive := filepath.Join(dir, tc.name+".tar.age")
			var buf bytes.Buffer
			if err := Write(&buf, c, tc.o); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(buf.Bytes(), []byte("They took him")) || bytes.Contains(buf.Bytes(), c.Attachments[1].Data) {
				t.Fatal("the encrypted export holds plaintext")
			}
			os.WriteFile(archive, buf.Bytes(), 0o600)
			out := filepath.Join(dir, tc.name)
			os.Mkdir(out, 0o700)
			cmd := exec.Command("sh", "-c", `"$@" | "$TAR" -x -C "$OUT"`, "sh")
			cmd.Args = append(cmd.Args, filepath.Join(bin, "age"))
			cmd.Args = append(cmd.Args, append(tc.args, archive)...)
			cmd.Env = append(os.Environ(), "TAR="+tarPath, "OUT="+out, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			if tc.env != "" {
				cmd.Env = append(cmd.Env, tc.env)
			}
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("age -d | tar -x: %v\n%s", err, b)
			}
			got, err := os.ReadFile(filepath.Join(out, "case-"+c.ID, "attachments", "notes.txt"))
			if err != nil || !bytes.Equal(got, c.Attachments[1].Data) {
				t.Errorf("notes.txt: %q, %v", got, err)
			}
		})
	}
	if err := Write(io.Discard, c, Options{Recipients: []age.Recipient{id.Recipient()}, Passphrase: "x"}); !errors.Is(err, ErrBothKeys) {
		t.Errorf("both keys: %v", err)
	}
}

func TestHostileNames(t *testing.T) {
	t.Parallel()
	c := testCase()
	c.ID = "../../etc"
	c.Attachments = []Attachment{
		{"../../../../etc/passwd", []byte("1")},
		{"/absolute/path.txt", []byte("2")},
		{"nul\x00byte.txt", []byte("3")},
		{"\x1b[31mred\r\n.txt", []byte("4")},
		{"CON.txt", []byte("5")},
		{"", []byte("6")},
		{"..", []byte("7")},
		{".hidden", []byte("8")},
		{"same.txt", []byte("9")},
		{"SAME.TXT", []byte("10")},
		{"same.txt", []byte("11")},
		{`C:\Windows\evil.exe`, []byte("12")},
		{"report\u202egpj.exe", []byte("13")},
	}
	var buf bytes.Buffer
	if err := Write(&buf, c, Options{}); err != nil {
		t.Fatal(err)
	}
	files, entries := readTar(t, bytes.NewReader(buf.Bytes()))
	seen := map[string]bool{}
	for _, name := range entries {
		if !strings.HasPrefix(name, "case-etc/") {
			t.Errorf("entry %q outside the case folder", name)
		}
		for _, elem := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
			if elem == ".." || elem == "." || elem == "" || strings.HasPrefix(elem, ".") {
				t.Errorf("entry %q has element %q", name, elem)
			}
		}
		for _, r := range name {
			if r < 0x20 || r == 0x7f || r == '\\' || r == ':' || r == '\u202e' {
				t.Errorf("entry %q has %U", name, r)
			}
		}
		if seen[strings.ToLower(name)] {
			t.Errorf("entry %q twice (ignoring case)", name)
		}
		seen[strings.ToLower(name)] = true
	}
	if n := len(files); n != 3+len(c.Attachments)+1 {
		t.Errorf("%d files, want %d: %q", n, 4+len(c.Attachments), entries)
	}
	if _, ok := files["case-etc/attachments/_CON.txt"]; !ok {
		t.Errorf("CON.txt not renamed: %q", entries)
	}
	for _, want := range []string{"same.txt", "SAME (2).TXT", "same (3).txt"} {
		if _, ok := files["case-etc/attachments/"+want]; !ok {
			t.Errorf("no %s: %q", want, entries)
		}
	}

	// The same as a folder: nothing lands outside it.
	parent := t.TempDir()
	dir, err := WriteDir(parent, c)
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(parent, "case-etc") {
		t.Errorf("folder %s", dir)
	}
	top, _ := os.ReadDir(parent)
	if len(top) != 1 {
		t.Errorf("WriteDir made %d entries in the parent", len(top))
	}
	att, _ := os.ReadDir(filepath.Join(dir, "attachments"))
	if len(att) != len(c.Attachments) {
		t.Errorf("%d attachments in the folder, want %d", len(att), len(c.Attachments))
	}
	if _, err := WriteDir(parent, c); err == nil {
		t.Error("WriteDir overwrote an existing case folder")
	}
}

func TestWriteDirSums(t *testing.T) {
	t.Parallel()
	sumPath := tool.Need(t, "sha256sum", "apt-get install coreutils")
	dir, err := WriteDir(t.TempDir(), testCase())
	if err != nil {
		t.Fatal(err)
	}
	check := exec.Command(sumPath, "-c", "--strict", "SHA256SUMS")
	check.Dir = dir
	if b, err := check.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, b)
	}
	// A changed attachment is caught.
	os.WriteFile(filepath.Join(dir, "attachments", "notes.txt"), []byte("altered"), 0o600)
	check = exec.Command(sumPath, "-c", "--strict", "SHA256SUMS")
	check.Dir = dir
	if err := check.Run(); err == nil {
		t.Error("sha256sum -c accepted an altered attachment")
	}
	st, _ := os.Stat(dir)
	if st.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v", st.Mode().Perm())
	}
}

// TestPrintViewEscapes parses the print view as a browser would: the only
// elements are the template's, no attribute runs script, no resource loads.
func TestPrintViewEscapes(t *testing.T) {
	t.Parallel()
	c := testCase()
	c.Attachments = append(c.Attachments, Attachment{hostile + ".svg", []byte("<svg onload=alert(1)/>")})
	var buf bytes.Buffer
	if err := Write(&buf, c, Options{}); err != nil {
		t.Fatal(err)
	}
	files, _ := readTar(t, &buf)
	page := files["case-"+c.ID+"/case.html"]
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true,
		"h1": true, "h2": true, "dl": true, "dt": true, "dd": true, "div": true, "p": true, "table": true,
		"tbody": true, "tr": true, "th": true, "td": true, "code": true}
	styles, csp := 0, ""
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if !allowed[n.Data] {
				t.Errorf("element <%s> in the print view", n.Data)
			}
			if n.Data == "style" {
				styles++
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") || a.Key == "src" || a.Key == "href" || a.Key == "style" {
					t.Errorf("attribute %s=%q on <%s>", a.Key, a.Val, n.Data)
				}
				if n.Data == "meta" && a.Key == "content" && strings.Contains(a.Val, "default-src") {
					csp = a.Val
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	if styles != 1 {
		t.Errorf("%d style elements, want the template's one", styles)
	}
	if csp != printCSP {
		t.Errorf("CSP %q", csp)
	}
	if !bytes.Contains(page, []byte("&lt;script&gt;fetch(")) {
		t.Error("the hostile markup is not shown escaped")
	}
	if bytes.ContainsRune(page, '\u202e') {
		t.Error("the print view keeps a bidirectional override")
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	c := testCase()
	c.Attachments = make([]Attachment, MaxAttachments+1)
	if err := Write(io.Discard, c, Options{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too many attachments: %v", err)
	}
}
