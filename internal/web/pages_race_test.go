package web_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"

	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/web"
)

// TestPageOfAMissingHubLeavesTheHandlerAlone asks for the same page of a
// missing hub and of the demo hub at once, many times: each answer must be
// the one its own request calls for. The page handler used to overwrite
// the name and status it had captured when the hub was missing, so after
// one such request every visitor of that page got "not found", and under
// -race the write raced with the other requests' reads. The API refuses
// unknown hubs before the pages, so the pages are mounted here on their
// own, as another router could mount them.
func TestPageOfAMissingHubLeavesTheHandlerAlone(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	r := chi.NewRouter()
	r.Mount("/hubs/{hub}", web.New(web.Options{Hubs: srv.Instance.Hubs}))
	hs := httptest.NewServer(r)
	defer hs.Close()

	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if r := get(t, hs.URL+"/hubs/nohub/report"); r.status != 404 {
				errs <- fmt.Errorf("missing hub, request %d: %d", i, r.status)
			}
		}()
		go func() {
			defer wg.Done()
			if r := get(t, hs.URL+"/hubs/demo/report"); r.status != 200 || !strings.Contains(r.body, `<html lang="`) {
				errs <- fmt.Errorf("demo hub, request %d: %d", i, r.status)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// And once more, after every request for the missing hub is done.
	if r := get(t, hs.URL+"/hubs/demo/report"); r.status != 200 {
		t.Fatalf("the demo hub's report page answers %d after a request for a missing hub", r.status)
	}
}
