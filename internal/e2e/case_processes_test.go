package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"difesa.org/difesa/internal/bench"
	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/wire"
)

// editsEach is how many changes each of the two editing responders makes,
// each in a difesa process of its own.
const editsEach = 20

// wholeHour is an hour as the audit log and case records write it.
var wholeHour = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:00:00Z$`)

// caseProxy stands between the editing responders' processes and difesad
// on loopback. It passes every request through unchanged, counts the
// answers to writes of case records, and holds the first such write until
// a second one arrives, so that two writes on the same version are sure
// to meet at the server: one of them gets 409.
type caseProxy struct {
	srv       *httptest.Server
	writes    atomic.Int32 // case record PUTs seen
	ok, stale atomic.Int32 // answered 200, 409
	second    chan struct{}
	met       atomic.Bool // the first write waited for the second
}

func newCaseProxy(t *testing.T, target string) *caseProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &caseProxy{second: make(chan struct{})}
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(u) }}
	rp.ModifyResponse = func(resp *http.Response) error {
		if isCaseWrite(resp.Request) {
			switch resp.StatusCode {
			case http.StatusOK:
				p.ok.Add(1)
			case http.StatusConflict:
				p.stale.Add(1)
			}
		}
		return nil
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isCaseWrite(r) {
			switch p.writes.Add(1) {
			case 1:
				select {
				case <-p.second:
					p.met.Store(true)
				case <-time.After(30 * time.Second):
				}
			case 2:
				close(p.second)
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func isCaseWrite(r *http.Request) bool {
	return r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/case")
}

// caseSession is one real difesad with a hub of three labelled
// responders and one report (and more hubs: hubBlock).
type caseSession struct {
	srv            *child
	ana, bo, cleo  *responder
	proxy          *caseProxy
	direct, viaHub string // the hub's address, and through the proxy
	id             string // the report
	marker         string
}

func newCaseSession(t *testing.T, more ...string) *caseSession {
	t.Helper()
	isolatePins(t)
	s := &caseSession{marker: randomHex(6)}
	s.ana, s.bo = newResponder(t, "Ana"), newResponder(t, "Bo")
	// Cleo never writes: her label reaches the case only as an assignee,
	// which the scan then looks for.
	s.cleo = newResponder(t, "Cleo ASSIGNEE-"+s.marker)
	s.srv = startDifesad(t, hubConfig(t, "it", []*responder{s.ana, s.bo, s.cleo}, more...))
	s.direct = s.srv.hubURL
	base, _, _ := strings.Cut(s.direct, "/hubs/")
	s.proxy = newCaseProxy(t, base)
	s.viaHub = s.proxy.srv.URL + "/hubs/it"
	sub := difesaIn(t, t.TempDir(), "", "submit", "-hub", s.direct, "-m", "a report")
	if sub.code != 0 {
		t.Fatalf("submit: exit %d\n%s", sub.code, sub.stderr)
	}
	s.id = strings.TrimSpace(sub.stdout)
	return s
}

// edit is change i of responder who: a label, a note, an assignment, a
// follow-up day or a sub-status in turn, each distinct, so that every one
// can be found afterwards.
func (s *caseSession) edit(who *responder, i int) []string {
	name := strings.ToLower(who.label)
	round := i / 5
	switch i % 5 {
	case 0:
		return who.caseArgs(s.viaHub, "label", s.id, fmt.Sprintf("+%s-%d", name, round))
	case 1:
		return who.caseArgs(s.viaHub, "note", s.id, noteText(s.marker, name, i))
	case 2:
		to := "me"
		if round%2 == 1 {
			to = s.cleo.label
		}
		return who.caseArgs(s.viaHub, "assign", s.id, to)
	case 3:
		return who.caseArgs(s.viaHub, "followup", s.id, followUp(name, round))
	default:
		return who.caseArgs(s.viaHub, "substatus", s.id, fmt.Sprintf("%s-s%d", name, round))
	}
}

func noteText(marker, name string, i int) string {
	return fmt.Sprintf("NOTE-%s by %s, edit %d", marker, name, i)
}

// followUp is a day only that edit sets: 2031 for Ana, 2032 for Bo.
func followUp(name string, round int) string {
	year := 2031
	if name == "bo" {
		year = 2032
	}
	return fmt.Sprintf("%d-0%d-1%d", year, round+1, round)
}

// TestCaseEditsFromProcesses is issue 15's proof on real processes: one
// difesad, a hub of three responders (Ana, Bo, Cleo), and the difesa
// command run as processes of their own, each responder with a key and
// pins of their own. Ana and Bo change the same case at the same time, 20
// times each (labels, notes, assignee, follow-up day, sub-status). Every
// note and label of both is then in the record; the single-valued fields
// show every change in their history; at least one write was stale (409)
// and was merged and written again, and no write was lost or counted twice:
// the record's version is the number of commands, and the audit log has
// one "case changed" per command, naming the responder and the hour only.
// Cleo reads the merged record with "difesa case show".
func TestCaseEditsFromProcesses(t *testing.T) {
	s := newCaseSession(t)
	s.editConcurrently(t)

	// Every command wrote once; some writes were stale first.
	const commands = 2 * editsEach
	if !s.proxy.met.Load() {
		t.Error("the first write did not meet a second one: no stale write was forced")
	}
	if ok, stale := s.proxy.ok.Load(), s.proxy.stale.Load(); ok != commands || stale < 1 || s.proxy.writes.Load() != ok+stale {
		t.Errorf("%d writes answered 200 and %d 409 of %d, want %d and at least 1", ok, stale, s.proxy.writes.Load(), commands)
	} else {
		t.Logf("%d commands, %d stale writes merged and written again", ok, stale)
	}
	cleo := login(t, s.direct, s.cleo)
	ct, version, err := cleo.GetCase(context.Background(), s.id)
	if err != nil {
		t.Fatal(err)
	}
	if version != commands {
		t.Errorf("the record is at version %d after %d commands", version, commands)
	}
	rec, err := caserecord.Open(ct, s.cleo.id)
	if err != nil {
		t.Fatalf("Cleo cannot open the record: %v", err)
	}
	checkMerged(t, s, rec)
	checkCaseAudit(t, cleo, s.id, map[string]int{"Ana": editsEach, "Bo": editsEach})

	// Cleo, who wrote nothing, reads it all with the command line.
	out := s.cleo.must(t, s.direct, "show", s.id)
	want := []string{fmt.Sprintf("Notes (%d):", 2*editsEach/5)}
	for _, who := range []string{"ana", "bo"} {
		for r := range editsEach / 5 {
			want = append(want, fmt.Sprintf("%s-%d", who, r), noteText(s.marker, who, 5*r+1),
				fmt.Sprintf("-> %q", followUp(who, r)), fmt.Sprintf("-> %q", fmt.Sprintf("%s-s%d", who, r)))
		}
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("case show lacks %q:\n%s", w, out)
		}
	}
}

// editConcurrently sets the hub's labels and sub-statuses as Ana, then
// has Ana and Bo make their editsEach changes each at the same time, each
// change a difesa process of its own, through the proxy.
func (s *caseSession) editConcurrently(t *testing.T) {
	t.Helper()
	var labels, statuses []string
	for _, who := range []string{"ana", "bo"} {
		for r := range editsEach / 5 {
			labels = append(labels, fmt.Sprintf("+%s-%d", who, r))
			statuses = append(statuses, fmt.Sprintf("+%s-s%d", who, r))
		}
	}
	s.ana.must(t, s.viaHub, "labels", labels...)
	s.ana.must(t, s.viaHub, "statuses", statuses...)
	s.bo.must(t, s.viaHub, "show", s.id) // Bo's first contact: nothing written

	var wg sync.WaitGroup
	failures := make(chan string, 2*editsEach)
	for _, who := range []*responder{s.ana, s.bo} {
		wg.Go(func() {
			for i := range editsEach {
				args := s.edit(who, i)
				res, err := difesaProcess(who.pins, "", args...)
				if err != nil || res.code != 0 {
					failures <- fmt.Sprintf("%s: difesa %s: exit %d %v\n%s", who.label, strings.Join(args, " "), res.code, err, res.stderr)
				}
			}
		})
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	if t.Failed() {
		t.FailNow()
	}

}

// login logs r in to the hub at hubURL, for the test's own requests.
func login(t *testing.T, hubURL string, r *responder) *bench.HubClient {
	t.Helper()
	hc, err := bench.NewHubClient(hubURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := hc.Login(context.Background(), r.id, r.id.Recipient().String()); err != nil {
		t.Fatalf("%s: %v", r.label, err)
	}
	return hc
}

// checkMerged checks that rec holds every change of the session's edits.
func checkMerged(t *testing.T, s *caseSession, rec *caserecord.Record) {
	t.Helper()
	var wantLabels []string
	notes := map[string]bool{}
	for _, n := range rec.Notes {
		notes[n.Text] = true
		if !wholeHour.MatchString(n.Hour) {
			t.Errorf("note %s has the time %q, not an hour", n.ID, n.Hour)
		}
	}
	newValues := map[string]map[string]string{} // field → new value → author
	for _, h := range rec.History {
		if newValues[h.Field] == nil {
			newValues[h.Field] = map[string]string{}
		}
		newValues[h.Field][h.New] = h.Author
		if !wholeHour.MatchString(h.Hour) {
			t.Errorf("history entry %+v has a time that is not an hour", h)
		}
	}
	for _, who := range []*responder{s.ana, s.bo} {
		name := strings.ToLower(who.label)
		for r := range editsEach / 5 {
			wantLabels = append(wantLabels, fmt.Sprintf("%s-%d", name, r))
			if text := noteText(s.marker, name, 5*r+1); !notes[text] {
				t.Errorf("the note %q was lost", text)
			}
			if by := newValues[caserecord.FieldFollowUp][followUp(name, r)]; by != who.label {
				t.Errorf("the history lacks %s's follow-up %s (author %q)", who.label, followUp(name, r), by)
			}
			if st := fmt.Sprintf("%s-s%d", name, r); newValues[caserecord.FieldSubStatus][st] != who.label {
				t.Errorf("the history lacks %s's sub-status %s", who.label, st)
			}
		}
	}
	slices.Sort(wantLabels)
	if !slices.Equal(rec.Labels, wantLabels) {
		t.Errorf("labels %q, want %q", rec.Labels, wantLabels)
	}
	if len(rec.Notes) != len(notes) || len(notes) != 2*editsEach/5 {
		t.Errorf("%d notes, want %d", len(rec.Notes), 2*editsEach/5)
	}
	// The assignee was changed by both, to themselves and to Cleo.
	for _, to := range []string{"Ana", "Bo", s.cleo.label} {
		if _, ok := newValues[caserecord.FieldAssignee][to]; !ok {
			t.Errorf("the history lacks the assignment to %q: %+v", to, newValues[caserecord.FieldAssignee])
		}
	}
	if !slices.Contains([]string{"Ana", "Bo", s.cleo.label}, rec.Assignee) || rec.FollowUp == "" || rec.SubStatus == "" {
		t.Errorf("single-valued fields after the merge: assignee %q, follow-up %q, sub-status %q", rec.Assignee, rec.FollowUp, rec.SubStatus)
	}
}

// checkCaseAudit reads the whole audit log as JSON and checks its
// "case changed" entries for submission id: as many per responder label
// as want says, each with the hour and nothing else.
func checkCaseAudit(t *testing.T, hc *bench.HubClient, id string, want map[string]int) {
	t.Helper()
	got := map[string]int{}
	cursor := ""
	for page := 0; page < 100; page++ {
		u := hc.Base + "/api/v1/hubs/" + hc.Hub + "/audit"
		if cursor != "" {
			u += "?after=" + url.QueryEscape(cursor)
		}
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+hc.Token())
		resp, err := hc.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var log struct {
			Events []map[string]any `json:"events"`
			Next   string           `json:"next"`
			More   bool             `json:"more"`
		}
		err = json.NewDecoder(resp.Body).Decode(&log)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("audit: %d %v", resp.StatusCode, err)
		}
		for _, ev := range log.Events {
			if ev["event"] != wire.EventCaseChanged {
				continue
			}
			keys := make([]string, 0, len(ev))
			for k := range ev {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			hour, _ := ev["time"].(string)
			if !slices.Equal(keys, []string{"by", "event", "submission", "time"}) || !wholeHour.MatchString(hour) || ev["submission"] != id {
				t.Errorf("audit entry %v: want only event, submission, by and the hour", ev)
			}
			by, _ := ev["by"].(string)
			got[by]++
		}
		if !log.More {
			break
		}
		cursor = log.Next
	}
	for by, n := range want {
		if got[by] != n {
			t.Errorf("the audit log has %d \"case changed\" by %q, want %d (all: %v)", got[by], by, n, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("the audit log names %v, want only %v", got, want)
	}
}
