package desk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/caserestrict"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/testutil/syncbuf"
	"difesa.org/difesa/internal/testutil/tool"
	"difesa.org/difesa/internal/wire"
)

const teamHub = "team"

// newTeam is one real hub whose manifest lists three responders
// ("Responder 1" to "Responder 3"), and a desk fixture for each, not yet
// started.
func newTeam(t *testing.T) [3]*hubFixture {
	t.Helper()
	var ids [3]*age.HybridIdentity
	var keys []string
	for i := range ids {
		id, err := age.GenerateHybridIdentity()
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
		keys = append(keys, id.Recipient().String())
	}
	clock := instants.NewClock(testDay)
	cfg := config.Default()
	cfg.Hubs = append(cfg.Hubs, testserver.NewHub(t, teamHub, keys...).Config)
	srv := testserver.NewWithOptions(t, cfg, testserver.Options{Now: clock.Now})
	srv.HubURL = srv.Instance.HubURL(teamHub)
	var team [3]*hubFixture
	for i := range team {
		team[i] = &hubFixture{srv: srv, id: ids[i], clock: clock, dir: filepath.Join(t.TempDir(), "desk"), logs: &syncbuf.Buffer{}}
	}
	return team
}

// responderClient is a client of the team hub logged in as f's responder.
func responderClient(t *testing.T, f *hubFixture) *client.Client {
	t.Helper()
	c, err := client.New(f.srv.HubURL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(context.Background(), f.id); err != nil {
		t.Fatalf("login: %v", err)
	}
	return c
}

// folderHas reports whether any file of a desk's folder holds needle.
func folderHas(t *testing.T, dir string, needle []byte) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if i := bytes.Index(b, needle); err == nil && i >= 0 {
			found = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestRestrictedCaseThroughPages: three responders of one real hub, a
// desk each. A restricts a case to A and B from the case page; B's desk
// still reads and edits it, and its case record is sealed to A and B
// only (stock age with C's identity cannot open it); C's desk counts "1"
// restricted case, forgets its copy (the case's id is nowhere in C's
// folder, the other case's is) and answers for the case as for an
// unknown one; A lifts the restriction and C reads the case again.
func TestRestrictedCaseThroughPages(t *testing.T) {
	team := newTeam(t)
	a, b, c := team[0], team[1], team[2]
	secret, _ := a.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "canary-restricted-narrative"})
	other, _ := a.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "canary-open-narrative"})
	var desks [3]*testDesk
	for i, f := range team {
		desks[i] = f.start(t)
		f.waitFor(t, "both cases", func(p casebook.Page) bool { return p.Total == 2 })
		f.waitFor(t, "the case settings", func(casebook.Page) bool {
			s, err := f.desk.book.Settings(teamHub)
			return err == nil && s.Me == fmt.Sprintf("Responder %d", i+1)
		})
	}
	if !folderHas(t, c.dir, []byte(secret)) {
		t.Fatal("C's folder does not hold the case's id before the restriction: the scan below could not fail")
	}
	u := caseURL(teamHub, secret)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("B's logs:\n%s", b.logs.String())
		}
	})

	// A restricts the case to A and B, through the pages; hostile or
	// unconfirmed posts change nothing first.
	ca, csrfA := desks[0].session(t)
	for _, k := range []struct {
		name   string
		form   url.Values
		origin string
		code   int
	}{
		{"no csrf", url.Values{"confirm": {"yes"}, "who": {"Responder 2"}}, "", http.StatusForbidden},
		{"another csrf", url.Values{"csrf": {"x" + csrfA}, "confirm": {"yes"}, "who": {"Responder 2"}}, "", http.StatusForbidden},
		{"cross origin", url.Values{"csrf": {csrfA}, "confirm": {"yes"}, "who": {"Responder 2"}}, "http://evil.example", http.StatusForbidden},
		{"unconfirmed", url.Values{"csrf": {csrfA}, "who": {"Responder 2"}}, "", http.StatusSeeOther},
		{"unknown responder", url.Values{"csrf": {csrfA}, "confirm": {"yes"}, "who": {"Mallory"}}, "", http.StatusSeeOther},
		{"markup", url.Values{"csrf": {csrfA}, "confirm": {"yes"}, "who": {"<b>Responder 2</b>"}}, "", http.StatusSeeOther},
		{"lift with responders", url.Values{"csrf": {csrfA}, "confirm": {"yes"}, "lift": {"1"}, "who": {"Responder 2"}}, "", http.StatusSeeOther},
		{"too many", url.Values{"csrf": {csrfA}, "confirm": {"yes"}, "who": bytesOfLabels(70)}, "", http.StatusSeeOther},
	} {
		req := newRequest(t, "POST", desks[0].Origin()+u+"/restrict", strings.NewReader(k.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(ca)
		req.Header.Set("Origin", desks[0].Origin())
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if k.origin != "" {
			req.Header.Set("Origin", k.origin)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
		}
		if r := do(t, req); r.StatusCode != k.code || k.code == http.StatusSeeOther && strings.Contains(r.Header.Get("Location"), "done=") {
			t.Errorf("%s: %s %s", k.name, r.Status, r.Header.Get("Location"))
		}
	}
	if r := desks[0].get(t, ca, u+"/restrict?review=1&who=Mallory"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a review with an unknown responder: %s", r.Status)
	}
	if rs, err := responderClient(t, a).GetRestriction(context.Background(), secret); err != nil || len(rs.Keys) != 0 || rs.Version != 0 {
		t.Fatalf("after the hostile posts the restriction is %+v (%v)", rs, err)
	}
	if p := desks[0].get(t, ca, u); p.StatusCode != http.StatusOK || !strings.Contains(p.body, `href="`+u+`/restrict"`) {
		t.Fatalf("A's case page: %s\n%s", p.Status, p.body)
	}
	choose := desks[0].get(t, ca, u+"/restrict")
	if choose.StatusCode != http.StatusOK || !strings.Contains(choose.body, `value="Responder 2"`) || !strings.Contains(choose.body, `value="Responder 3"`) || strings.Contains(choose.body, `value="Responder 1"`) {
		t.Fatalf("A's choice of responders: %s\n%s", choose.Status, choose.body)
	}
	review := desks[0].get(t, ca, u+"/restrict?review=1&who=Responder+2")
	for _, want := range []string{"Can read the case: Responder 1, Responder 2.", "Will not be able to read the case (their desks forget their copy): Responder 3.", `name="confirm" value="yes"`} {
		if !strings.Contains(review.body, want) {
			t.Errorf("the review lacks %q:\n%s", want, review.body)
		}
	}
	if r := desks[0].post(t, ca, u+"/restrict", url.Values{"csrf": {csrfA}, "confirm": {"yes"}, "who": {"Responder 2"}}); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != u+"?done=restrict" {
		t.Fatalf("restrict: %s %s", r.Status, r.Header.Get("Location"))
	}
	a.waitFor(t, "the restriction on A's case page", func(casebook.Page) bool {
		k, err := a.desk.book.Case(teamHub, secret)
		return err == nil && strings.Join(k.Restriction.Members, ",") == "Responder 1,Responder 2"
	})

	// B still reads and edits it; what B writes is sealed to A and B only.
	cb, csrfB := desks[1].session(t)
	b.waitFor(t, "the restricted case on B's desk", func(casebook.Page) bool {
		k, err := b.desk.book.Case(teamHub, secret)
		return err == nil && len(k.Restriction.Members) == 2 && k.Narrative == "canary-restricted-narrative"
	})
	if r := desks[1].post(t, cb, u+"/work", url.Values{"csrf": {csrfB}, "op": {"note"}, "text": {"canary-restricted-note"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("B's note: %s", r.Status)
	}
	if r := desks[1].post(t, cb, u+"/reply", url.Values{"csrf": {csrfB}, "text": {"canary-restricted-reply"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("B's reply in the restricted case: %s", r.Status)
	}
	if p := desks[1].get(t, cb, u); !strings.Contains(p.body, "canary-restricted-note") || !strings.Contains(p.body, "Only these responders can read this case: Responder 1, Responder 2.") {
		t.Errorf("B's case page:\n%s", p.body)
	}
	f, err := responderClient(t, a).GetCaseFile(context.Background(), secret)
	if err != nil || f.Ciphertext == nil {
		t.Fatalf("the case record: %v", err)
	}
	for i, want := range []bool{true, true, false} {
		_, err := caserecord.Open(f.Ciphertext, team[i].id)
		if (err == nil) != want {
			t.Errorf("Responder %d opens the case record: %v", i+1, err)
		}
	}
	outsiderCannotDecrypt(t, c, f.Ciphertext)
	replies := 0
	subs, err := responderClient(t, a).List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if s.Kind != wire.KindReply || s.Thread != secret {
			continue
		}
		replies++
		var ct bytes.Buffer
		if _, err := responderClient(t, a).Download(context.Background(), s.ID, &ct); err != nil {
			t.Fatal(err)
		}
		if _, err := age.Decrypt(bytes.NewReader(ct.Bytes()), c.id); err == nil {
			t.Error("the outsider decrypts B's reply in the restricted case")
		}
		if _, err := age.Decrypt(bytes.NewReader(ct.Bytes()), a.id); err != nil {
			t.Errorf("A cannot decrypt B's reply: %v", err)
		}
	}
	if replies != 1 {
		t.Errorf("%d replies in the restricted case", replies)
	}
	if _, err := responderClient(t, c).GetCaseFile(context.Background(), secret); !client.IsRestricted(err) {
		t.Errorf("C fetches the case record: %v", err)
	}

	// C's desk counts it, forgets it and answers as for an unknown case.
	cc, _ := desks[2].session(t)
	c.waitFor(t, "C's desk to forget the case", func(p casebook.Page) bool { return p.Restricted == 1 && p.Total == 1 })
	if _, err := c.desk.book.Case(teamHub, secret); !errors.Is(err, casebook.ErrNotFound) {
		t.Errorf("C's book still has the case: %v", err)
	}
	if p, err := c.desk.book.Search(casebook.Filter{Query: "canary"}); err != nil || p.Total != 1 || p.Items[0].ID != other {
		t.Errorf("C's search finds %+v (%v)", p, err)
	}
	inbox := desks[2].get(t, cc, "/")
	if !strings.Contains(inbox.body, `id="restricted"`) || !strings.Contains(inbox.body, "Restricted cases you cannot see: 1") || strings.Contains(inbox.body, secret) {
		t.Errorf("C's inbox:\n%s", inbox.body)
	}
	unknown := desks[2].get(t, cc, caseURL(teamHub, "aaaaaaaaaaaaaaaaaaaaaaaaaa"))
	gone := desks[2].get(t, cc, u)
	notFound := T("en", "error_not_found")
	if gone.StatusCode != http.StatusNotFound || gone.StatusCode != unknown.StatusCode || !strings.Contains(gone.body, notFound) ||
		!strings.Contains(unknown.body, notFound) || strings.Contains(gone.body, "canary") {
		t.Errorf("C's page for the case: %s, for an unknown case: %s\n%s\n%s", gone.Status, unknown.Status, gone.body, unknown.body)
	}
	// The sync that forgot it rewrites the vault file after: wait for it.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for deadline := time.After(30 * time.Second); folderHas(t, c.dir, []byte(secret)); {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatal("C's folder still holds the restricted case's id")
		}
	}
	if !folderHas(t, c.dir, []byte(other)) {
		t.Error("C's folder lost the other case")
	}

	// A lifts it; C reads it again.
	lift := desks[0].get(t, ca, u+"/restrict?lift=1")
	if !strings.Contains(lift.body, "Can read the case: Responder 1, Responder 2, Responder 3.") || strings.Contains(lift.body, `id="restrict-others"`) {
		t.Errorf("the lift's review:\n%s", lift.body)
	}
	if r := desks[0].post(t, ca, u+"/restrict", url.Values{"csrf": {csrfA}, "confirm": {"yes"}, "lift": {"1"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("lift: %s", r.Status)
	}
	c.waitFor(t, "the case back on C's desk", func(p casebook.Page) bool {
		k, err := c.desk.book.Case(teamHub, secret)
		return p.Restricted == 0 && err == nil && k.Narrative == "canary-restricted-narrative" && len(k.Work.Notes) == 1 &&
			len(k.Thread) == 1 && k.Thread[0].Text == "canary-restricted-reply"
	})
}

// outsiderCannotDecrypt checks with stock age that f's identity cannot
// decrypt ct.
func outsiderCannotDecrypt(t *testing.T, f *hubFixture, ct []byte) {
	t.Helper()
	tool.Need(t, "go", "the Go toolchain builds the age command")
	dir := t.TempDir()
	// The age of the module difesa depends on: an age older than 1.3
	// (Debian 12's) knows no post-quantum identity.
	bin := filepath.Join(dir, "age")
	if out, err := exec.Command("go", "build", "-o", bin, "filippo.io/age/cmd/age").CombinedOutput(); err != nil {
		t.Fatalf("building age: %v\n%s", err, out)
	}
	key := filepath.Join(dir, "key.txt")
	if err := os.WriteFile(key, []byte(f.id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-d", "-i", key)
	cmd.Stdin = bytes.NewReader(ct)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err == nil || len(out) > 0 {
		t.Fatalf("age decrypts the case record with the outsider's key")
	}
	if !strings.Contains(stderr.String(), "no identity matched") {
		t.Fatalf("age failed otherwise than for a missing identity: %v\n%s", err, stderr.String())
	}
}

// bytesOfLabels is n distinct labels, none of them the hub's.
func bytesOfLabels(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Responder %d", i+1)
	}
	return out
}

// TestRestrictedRefusalForgets: a case restricted to others by a
// colleague's CLI, which C's desk has not synced since, is forgotten the
// moment the hub refuses C's action in it, and the answer is that of an
// unknown case.
func TestRestrictedRefusalForgets(t *testing.T) {
	team := newTeam(t)
	a, c := team[0], team[2]
	secret, _ := a.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "canary-refused"})
	d := c.start(t)
	c.waitFor(t, "the case and the settings", func(p casebook.Page) bool {
		s, err := c.desk.book.Settings(teamHub)
		return p.Total == 1 && err == nil && s.Me == "Responder 3"
	})
	ctx := context.Background()
	ac := responderClient(t, a)
	if _, err := caserestrict.Apply(ctx, ac, secret, []string{a.id.Recipient().String()}); err != nil {
		t.Fatalf("restricting: %v", err)
	}
	if !c.desk.book.Has(teamHub, secret) {
		t.Fatal("C's desk forgot the case before it acted: the test below could not fail")
	}
	cc, csrf := d.session(t)
	u := caseURL(teamHub, secret)
	r := d.post(t, cc, u+"/work", url.Values{"csrf": {csrf}, "op": {"note"}, "text": {"a note"}})
	if r.StatusCode != http.StatusNotFound || strings.Contains(r.body, "canary") {
		t.Errorf("C's note: %s %s", r.Status, r.Header.Get("Location"))
	}
	if c.desk.book.Has(teamHub, secret) {
		t.Error("C's desk still holds the case the hub refused")
	}
	if p := d.get(t, cc, u); p.StatusCode != http.StatusNotFound {
		t.Errorf("C's page for the case: %s", p.Status)
	}
	if folderHas(t, c.dir, []byte(secret)) {
		t.Error("C's folder still holds the refused case's id")
	}
}
