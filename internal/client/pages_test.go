package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"difesa.org/difesa/internal/wire"
)

// pagedHub answers the submissions listing three per page, with id
// "dup" again on the last page (it changed while the client paged), or,
// if stuck, the same cursor forever.
func pagedHub(t *testing.T, stuck bool) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after, _ := strconv.Atoi(r.URL.Query().Get("after"))
		page := wire.SubmissionList{Next: strconv.Itoa(after + 3), More: after+3 < 9}
		for i := after; i < after+3; i++ {
			page.Submissions = append(page.Submissions, wire.Submission{ID: "s" + strconv.Itoa(i), Status: "new"})
		}
		if after == 6 {
			page.Submissions[2] = wire.Submission{ID: "s1", Status: "closed"}
		}
		if stuck {
			page.Next, page.More = r.URL.Query().Get("after"), true
		}
		json.NewEncoder(w).Encode(page)
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/hubs/demo", Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.token = "t"
	return c
}

func TestListReadsEveryPage(t *testing.T) {
	t.Parallel()
	subs, err := pagedHub(t, false).List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range subs {
		ids = append(ids, s.ID+"/"+s.Status)
	}
	// s1 is listed once, as it is now; s8 never came (s1 took its place).
	if got := strings.Join(ids, " "); got != "s0/new s1/closed s2/new s3/new s4/new s5/new s6/new s7/new" {
		t.Fatalf("listed %s", got)
	}
}

// A hub whose cursor does not advance is an error, not an endless loop.
func TestListStopsOnAStuckCursor(t *testing.T) {
	t.Parallel()
	if _, err := pagedHub(t, true).List(context.Background()); err == nil || !strings.Contains(err.Error(), "does not advance") {
		t.Fatalf("List = %v", err)
	}
}

// A page that holds only cases restricted to others comes empty, with
// more to follow and the count: List goes on past it.
func TestListGoesPastAPageOfRestrictedCases(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := wire.SubmissionList{Restricted: 1}
		switch r.URL.Query().Get("after") {
		case "":
			page.Submissions, page.Next, page.More = []wire.Submission{{ID: "s0"}}, "1", true
		case "1":
			page.Next, page.More = "2", true // s1 is restricted to others
		default:
			page.Submissions, page.Next = []wire.Submission{{ID: "s2"}}, "3"
		}
		json.NewEncoder(w).Encode(page)
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/hubs/demo", Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.token = "t"
	subs, err := c.List(context.Background())
	if err != nil || len(subs) != 2 || subs[1].ID != "s2" {
		t.Fatalf("List = %v, %v", subs, err)
	}
}
