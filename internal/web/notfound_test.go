package web_test

import (
	"strings"
	"testing"

	"difesa.org/difesa/internal/testserver"
)

// TestUnknownHubPage: a browser that asks for a page of a hub the server
// does not have gets the pages' "not found" page, in its language and
// styled, not the API's JSON error; API clients keep the JSON error, and
// a form posted to an unknown hub is refused as before.
func TestUnknownHubPage(t *testing.T) {
	srv := testserver.New(t)
	for _, path := range []string{"/hubs/nohub/", "/hubs/nohub/report", "/hubs/nohub/news"} {
		r := get(t, srv.URL+path+"?lang=sl", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
		if r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("%s from a browser: %d %s", path, r.status, r.header.Get("Content-Type"))
		}
		if !strings.Contains(r.body, `<html lang="sl"`) || !strings.Contains(r.body, `rel="stylesheet"`) || !strings.Contains(r.body, "<main") {
			t.Errorf("%s from a browser: not the pages' not-found page:\n%s", path, r.body)
		}
		r = get(t, srv.URL+path, "Accept", "application/json")
		if r.status != 404 || !strings.Contains(r.body, `"not_found"`) {
			t.Errorf("%s from an API client: %d %s", path, r.status, r.body)
		}
	}
	req := get(t, srv.URL+"/hubs/demo/recipients.txt", "Accept", "text/html")
	if req.status != 200 {
		t.Errorf("a known hub's recipients.txt from a browser: %d", req.status)
	}
}
