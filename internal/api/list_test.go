package api_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

// A hub with 50,000 submissions lists them all through the real HTTP API,
// a bounded page at a time, each exactly once, in the order they arrived.
func TestListLargeInbox(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a hub with 50,000 submissions")
	}
	t.Parallel()
	const n = 50_000
	srv := testserver.New(t)
	start := time.Now()
	filled := srv.Fill(t, n, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	t.Logf("stored %d submissions in %v", n, time.Since(start))
	apiURL := srv.URL + "/api/v1/hubs/demo"
	token := login(t, apiURL, loadIdentity(t, srv.IdentityFile))

	start = time.Now()
	seen := make(map[string]bool, n)
	var order []string
	cursor, pages, largest := "", 0, 0
	for {
		u := apiURL + "/submissions?limit=" + strconv.Itoa(wire.MaxPageSize)
		if cursor != "" {
			u += "&after=" + url.QueryEscape(cursor)
		}
		r := do(t, "GET", u, "", token, nil)
		if r.status != 200 {
			t.Fatalf("page %d: %d %s", pages, r.status, r.body)
		}
		largest = max(largest, len(r.body))
		var page wire.SubmissionList
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Submissions) > wire.MaxPageSize {
			t.Fatalf("page %d holds %d submissions, more than the limit %d", pages, len(page.Submissions), wire.MaxPageSize)
		}
		for _, s := range page.Submissions {
			if seen[s.ID] {
				t.Fatalf("%s listed twice", s.ID)
			}
			seen[s.ID] = true
			order = append(order, s.ID)
		}
		pages++
		if !page.More {
			break
		}
		if page.Next == cursor {
			t.Fatalf("page %d: the cursor does not advance from %q", pages, cursor)
		}
		cursor = page.Next
	}
	t.Logf("listed %d submissions in %d pages in %v; largest answer %d bytes", len(order), pages, time.Since(start), largest)
	if len(order) != n || pages != n/wire.MaxPageSize {
		t.Fatalf("listed %d submissions in %d pages, want %d in %d", len(order), pages, n, n/wire.MaxPageSize)
	}
	for i, s := range filled {
		if order[i] != s.ID.String() {
			t.Fatalf("submission %d is %s, want %s: not in the order of arrival", i, order[i], s.ID)
		}
	}
	if largest > 1<<20/2 {
		t.Fatalf("a page of %d bytes: pages must stay well under the client's 1 MiB", largest)
	}
	// Without a limit, the default page.
	r := do(t, "GET", apiURL+"/submissions", "", token, nil)
	var first wire.SubmissionList
	if err := json.Unmarshal(r.body, &first); err != nil || len(first.Submissions) != wire.DefaultPageSize || !first.More {
		t.Fatalf("default page: %d submissions, more %v (%v)", len(first.Submissions), first.More, err)
	}
}

// What changed since a cursor: a status change moves a submission after
// it, so that a client that keeps a copy of the inbox syncs by listing
// from the last "next" it saw.
func TestListChangesSince(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	filled := srv.Fill(t, 30, time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	apiURL := srv.URL + "/api/v1/hubs/demo"
	token := login(t, apiURL, loadIdentity(t, srv.IdentityFile))
	list := func(after string) wire.SubmissionList {
		t.Helper()
		u := apiURL + "/submissions"
		if after != "" {
			u += "?after=" + after
		}
		r := do(t, "GET", u, "", token, nil)
		var l wire.SubmissionList
		if r.status != 200 || json.Unmarshal(r.body, &l) != nil {
			t.Fatalf("list after %q: %d %s", after, r.status, r.body)
		}
		return l
	}
	all := list("")
	if len(all.Submissions) != 30 || all.More {
		t.Fatalf("%d submissions, more %v", len(all.Submissions), all.More)
	}
	if l := list(all.Next); len(l.Submissions) != 0 || l.More || l.Next != all.Next {
		t.Fatalf("nothing changed, yet: %+v", l)
	}
	changed := filled[3].ID.String()
	body, _ := json.Marshal(wire.StatusUpdate{Status: wire.StatusClosed})
	if r := do(t, "PUT", apiURL+"/submissions/"+changed+"/status", "application/json", token, bytes.NewReader(body)); r.status != 204 {
		t.Fatalf("status: %d %s", r.status, r.body)
	}
	since := list(all.Next)
	if len(since.Submissions) != 1 || since.Submissions[0].ID != changed || since.Submissions[0].Status != wire.StatusClosed {
		t.Fatalf("changed since: %+v", since.Submissions)
	}
	if s := since.Submissions[0]; s.Serial != all.Submissions[3].Serial {
		t.Fatalf("the serial moved with the change: %d, was %d", s.Serial, all.Submissions[3].Serial)
	}
	if again := list(""); len(again.Submissions) != 30 || again.Submissions[29].ID != changed {
		t.Fatalf("from the start the changed submission comes last, once: %d", len(again.Submissions))
	}
}

// Malformed, hostile and out-of-range cursors and limits get a clear 400.
func TestListRejectsBadCursors(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	srv.Fill(t, 3, time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	apiURL := srv.URL + "/api/v1/hubs/demo"
	token := login(t, apiURL, loadIdentity(t, srv.IdentityFile))
	for _, tt := range []struct{ query, code string }{
		{"after=", wire.CodeBadCursor},
		{"after=-1", wire.CodeBadCursor},
		{"after=%2B1", wire.CodeBadCursor},
		{"after=01", wire.CodeBadCursor},
		{"after=1e3", wire.CodeBadCursor},
		{"after=0x10", wire.CodeBadCursor},
		{"after=%EF%BC%91", wire.CodeBadCursor}, // a fullwidth digit
		{"after=18446744073709551616", wire.CodeBadCursor},
		{"after=" + strings.Repeat("9", 5000), wire.CodeBadCursor},
		{"after=1&after=2", wire.CodeBadCursor},
		{"after=%00", wire.CodeBadCursor},
		{"after=4", wire.CodeBadCursor}, // beyond the hub's latest change
		{"after=18446744073709551615", wire.CodeBadCursor},
		{"limit=0", wire.CodeBadRequest},
		{"limit=-5", wire.CodeBadRequest},
		{"limit=1001", wire.CodeBadRequest},
		{"limit=1e2", wire.CodeBadRequest},
		{"limit=010", wire.CodeBadRequest},
		{"limit=", wire.CodeBadRequest},
		{"limit=99999999999999999999", wire.CodeBadRequest},
	} {
		for _, path := range []string{"/submissions?", "/audit?", "/bulletins?"} {
			r := do(t, "GET", apiURL+path+tt.query, "", token, nil)
			if r.status != 400 || r.code() != tt.code {
				t.Errorf("%s%s: %d %s, want 400 %s", path, tt.query, r.status, r.body, tt.code)
			}
		}
	}
	for _, ok := range []string{"after=0", "after=3", "after=2&limit=1", "limit=1000"} {
		if r := do(t, "GET", apiURL+"/submissions?"+ok, "", token, nil); r.status != 200 {
			t.Errorf("%s: %d %s", ok, r.status, r.body)
		}
	}
}

// The public bulletin list comes a page at a time too, newest first: a
// hub that publishes for years must not answer with every bulletin at
// once.
func TestBulletinListPages(t *testing.T) {
	t.Parallel()
	const n = wire.DefaultPageSize + 100
	srv := testserver.New(t)
	for i := range n {
		_, err := srv.Instance.Store.PublishBulletin("demo", store.Bulletin{
			Document: []byte("<alert/>"), Signature: make([]byte, 64),
			Identifier: "b-" + strconv.Itoa(i), Sender: "difesa-demo", Sent: "2026-11-23T10:00:00+01:00", MsgType: "Alert",
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	apiURL := srv.URL + "/api/v1/hubs/demo"
	var seqs []uint64
	cursor := ""
	for pages := 1; ; pages++ {
		u := apiURL + "/bulletins"
		if cursor != "" {
			u += "?after=" + cursor
		}
		r := do(t, "GET", u, "", "", nil)
		var page wire.BulletinList
		if r.status != 200 || json.Unmarshal(r.body, &page) != nil {
			t.Fatalf("page %d: %d %s", pages, r.status, r.body)
		}
		if len(page.Bulletins) > wire.DefaultPageSize {
			t.Fatalf("page %d holds %d bulletins", pages, len(page.Bulletins))
		}
		for _, b := range page.Bulletins {
			seqs = append(seqs, b.Seq)
		}
		if !page.More {
			if pages != 2 {
				t.Fatalf("%d pages", pages)
			}
			break
		}
		cursor = page.Next
	}
	if len(seqs) != n {
		t.Fatalf("listed %d bulletins, want %d", len(seqs), n)
	}
	for i, seq := range seqs {
		if seq != uint64(n-i) {
			t.Fatalf("bulletin %d is number %d, want %d: newest first, each once", i, seq, n-i)
		}
	}
	if r := do(t, "GET", apiURL+"/bulletins?after="+strconv.Itoa(n+1), "", "", nil); r.status != 400 || r.code() != wire.CodeBadCursor {
		t.Fatalf("a cursor beyond the latest bulletin: %d %s", r.status, r.body)
	}
}
