package desk

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/testutil/syncbuf"
)

// TestFailLogsNoContent: the desk's log gets the kind of a failure, never
// its text, which can quote a report (here an attachment's name in the
// path an export could not write).
func TestFailLogsNoContent(t *testing.T) {
	const canary = "CANARY-attachment-name-7f3a"
	logs := &syncbuf.Buffer{}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	d := newDeskWith(t, casebook.Options{
		Dir: t.TempDir(), Identities: []age.Identity{id}, Recipient: id.Recipient(),
		Logf: func(format string, a ...any) { fmt.Fprintf(logs, format+"\n", a...) },
	})
	for _, c := range []struct {
		err  error
		want string
	}{
		{&fs.PathError{Op: "open", Path: "/exports/case-1/attachments/" + canary, Err: syscall.ENOSPC}, "no space left on device"},
		{fmt.Errorf("export: unable to write %s: %w", canary, fs.ErrPermission), "permission denied"},
		{errors.New("bundle: bad field " + canary), "unexpected error"},
	} {
		before := len(logs.String())
		r := httptest.NewRequest(http.MethodGet, "/case", nil)
		d.fail(httptest.NewRecorder(), r, http.StatusInternalServerError, "export_failed", c.err)
		got := logs.String()[before:]
		if strings.Contains(got, canary) {
			t.Errorf("the log quotes the error's text: %q", got)
		}
		if !strings.Contains(got, "export_failed: "+c.want) {
			t.Errorf("log %q, want the failure's kind %q", got, c.want)
		}
	}
}
