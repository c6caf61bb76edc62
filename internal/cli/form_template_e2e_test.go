package cli_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/testserver"
)

// TestOpenOfflineTemplate: the offline route end to end. The hub's form
// page offers a plain-text template; the defender fills it in, encrypts
// it to the hub's recipients.txt with the age program (built from the
// module difesa depends on; in -short, filippo.io/age itself) and uploads
// the .age file;
// "difesa open" fetches the form the template names by id, version and
// hash, checks it against the pinned admin key and shows each answer
// under its question. A template naming another hash is refused with its
// code, and its answers are still shown by question id.
func TestOpenOfflineTemplate(t *testing.T) {
	isolatePins(t)
	srv := newServer(t, config.Default())
	sk, err := manifest.ParseSecretKeyFile(bytes.NewReader(mustReadFile(t, srv.AdminKeyFile)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := client.New(srv.HubURL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PublishForm(ctx, testserver.SignForm(t, sk, testserver.NewForm("demo", "safety", 1))); err != nil {
		t.Fatal(err)
	}
	difesa(t, "", "forms", "-hub", srv.HubURL, "-pin", sk.Public().Fingerprint())

	httpGet := func(url string) string {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", url, resp.StatusCode)
		}
		return string(b)
	}
	dir := t.TempDir()
	recipients := writeFile(t, filepath.Join(dir, "recipients.txt"), []byte(httpGet(srv.HubURL+"/recipients.txt")))
	tmpl := httpGet(srv.HubURL + "/forms/safety/template.txt?lang=it")

	ageBin := stockAge(t)
	upload := func(text string) string {
		plain := writeFile(t, filepath.Join(dir, "form.txt"), []byte(text))
		enc := filepath.Join(dir, "report.age")
		os.Remove(enc)
		if ageBin != "" {
			if out, err := exec.Command(ageBin, "-R", recipients, "-o", enc, plain).CombinedOutput(); err != nil {
				t.Fatalf("age: %v\n%s", err, out)
			}
		} else {
			f, _ := os.Open(recipients)
			rs, err := age.ParseRecipients(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			w, _ := age.Encrypt(&buf, rs...)
			w.Write([]byte(text))
			w.Close()
			writeFile(t, enc, buf.Bytes())
		}
		ct, _ := os.Open(enc)
		defer ct.Close()
		created, err := c.Submit(ctx, "report", ct)
		if err != nil {
			t.Fatal(err)
		}
		return created.ID
	}
	filled := strings.NewReplacer(
		"## setting\n", "## setting\nschool\n",
		"## safe_now\n", "## safe_now\nno\n",
		"## danger\n", "## danger\nMi seguono.\nOgni sera.\n",
	).Replace(tmpl)

	out := difesa(t, "", "-lang", "en", "open", "-hub", srv.HubURL, "-i", srv.IdentityFile, upload(filled))
	for _, want := range []string{
		"Form        safety, version 1: Safety (filled offline; signed by the hub's admin key)",
		"\nWhere?\n    School\n", "\nAre you safe now?\n    no\n", "\nWhat danger are you in?\n    Mi seguono.\n    Ogni sera.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("open lacks %q:\n%s", want, out)
		}
	}

	swapped := regexp.MustCompile(`(?m)^hash: [0-9a-f]{64}$`).ReplaceAllString(filled, "hash: "+strings.Repeat("ab", 32))
	out = difesa(t, "", "-lang", "en", "open", "-hub", srv.HubURL, "-i", srv.IdentityFile, upload(swapped))
	if !strings.Contains(out, "NOT CHECKED (form_mismatch)") || !strings.Contains(out, "\ndanger\n    Mi seguono.\n") {
		t.Errorf("open of a template naming another hash:\n%s", out)
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stockAge builds the age command from the module difesa depends on and
// returns its path, or "" in -short. It is not the age of the machine's
// PATH: an age older than 1.3 (Debian 12 has 1.1) cannot encrypt to the
// hub's post-quantum recipients, which README.md and the pages say.
func stockAge(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		return ""
	}
	bin := filepath.Join(t.TempDir(), "age")
	if out, err := exec.Command("go", "build", "-o", bin, "filippo.io/age/cmd/age").CombinedOutput(); err != nil {
		t.Fatalf("building age: %v\n%s", err, out)
	}
	return bin
}
