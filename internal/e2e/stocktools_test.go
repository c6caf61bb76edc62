package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/tool"
)

// TestStockToolsRecoverASubmission keeps the promise of the README: a
// responder can always recover a report with the stock age command and tar,
// without difesa. age is the real command, built from the module this
// project depends on (`go tool age`).
func TestStockToolsRecoverASubmission(t *testing.T) {
	isolatePins(t)
	if testing.Short() {
		t.Skip("builds the age command; skipped in -short")
	}
	tool.Need(t, "tar", "apt-get install tar")
	tool.Need(t, "bash", "apt-get install bash")
	tool.Need(t, "go", "install Go")
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "age"), "filippo.io/age/cmd/age")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building age: %v\n%s", err, out)
	}

	srv := testserver.New(t)
	work := t.TempDir()
	photo := filepath.Join(work, "photo.jpg")
	content := strings.Repeat("not really a jpeg ", 300000) // ~5 MiB: padding larger than a pipe buffer
	os.WriteFile(photo, []byte(content), 0o600)
	id := strings.TrimSpace(runCLI(t, "", "submit", "-hub", srv.HubURL, "-m", "the report text", "-attach", photo))
	sub := filepath.Join(work, id+".age")
	runCLI(t, "", "open", "-hub", srv.HubURL, "-i", srv.IdentityFile, "-raw", sub, id)

	out := filepath.Join(work, "out")
	os.Mkdir(out, 0o700)
	// Exactly the README's command. tar stops reading at the end of the
	// archive, before the padding; age may then die of SIGPIPE, which the
	// shell (without pipefail) does not report, as with any such pipe.
	cmd := exec.Command("bash", "-c", `age -d -i "$1" "$2" | tar x`, "bash", srv.IdentityFile, sub)
	cmd.Dir = out
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("age -d | tar x: %v\n%s", err, b)
	}
	if got, _ := os.ReadFile(filepath.Join(out, "files", "photo.jpg")); string(got) != content {
		t.Fatalf("files/photo.jpg: %d bytes, want %d", len(got), len(content))
	}
	report, _ := os.ReadFile(filepath.Join(out, "report.json"))
	if !strings.Contains(string(report), "the report text") {
		t.Fatalf("report.json: %s", report)
	}
	if _, err := os.Stat(filepath.Join(out, "envelope.json")); err != nil {
		t.Fatal(err)
	}
}
