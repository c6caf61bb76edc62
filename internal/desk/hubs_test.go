package desk

import (
	"net/http/httptest"
	"strings"
	"testing"

	"difesa.org/difesa/internal/desk/casebook"
)

// The hub status line: a progress bar while the first sync runs, the
// read-only notice when the hub is down (its error escaped), nothing
// alarming when all is well.
func TestHubStatusLine(t *testing.T) {
	p := newPages()
	for _, c := range []struct {
		st   casebook.HubStatus
		want []string
		not  []string
	}{
		{casebook.HubStatus{Hub: "legal", Online: true, Syncing: true, Done: 30, Total: 120},
			[]string{`<progress id="sync-legal" max="100" value="25">`, "syncing: 30 of 120"}, []string{"read-only"}},
		{casebook.HubStatus{Hub: "legal", Online: true, Syncing: true, Done: 7},
			[]string{`<progress id="sync-legal" max="100">`, "syncing: 7 so far"}, nil},
		{casebook.HubStatus{Hub: "legal", Online: false, Err: `dial <script>x</script>`, LastSyncHour: "2026-11-23 12:00"},
			[]string{"cannot be reached: read-only", `class="offline"`, "&lt;script&gt;x&lt;/script&gt;", "last complete sync 2026-11-23 12:00 UTC"}, []string{"<script>x", "<progress"}},
		{casebook.HubStatus{Hub: "legal", Online: true}, []string{"connected"}, []string{"read-only", "<progress"}},
	} {
		v := &view{Lang: "en", Dir: "ltr", Page: "local", CSRF: "x", Hubs: []casebook.HubStatus{c.st}, Data: localData{}}
		rec := httptest.NewRecorder()
		p.render(rec, 200, v)
		body := rec.Body.String()
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%+v: no %q in %s", c.st, w, body)
			}
		}
		for _, w := range c.not {
			if strings.Contains(body, w) {
				t.Errorf("%+v: %q shown", c.st, w)
			}
		}
	}
}
