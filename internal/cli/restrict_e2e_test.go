package cli_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/tool"
)

const (
	restrictNoteCanary  = "canary-restricted-note-8c2f"
	restrictLabelCanary = "canary-label-detention"
	restrictReport      = "canary-restricted-report: the lawyer only"
)

// restrictStory is a real server with three responders with classic keys
// (which the stock age tool reads): Ana ("Responder 1"), Bo
// ("Responder 2") and Cy ("Responder 3"); a report with a conversation
// (the report and a follow-up) and a case record; and another report.
type restrictStory struct {
	srv                 *testserver.Server
	th                  *testserver.Hub
	hub, pins, dir      string
	ana, bo, cy         string // key files
	id, followup, other string
}

func newRestrictStory(t *testing.T) *restrictStory {
	t.Helper()
	dir := t.TempDir()
	s := &restrictStory{dir: dir, pins: filepath.Join(dir, "pins"),
		ana: filepath.Join(dir, "ana.key"), bo: filepath.Join(dir, "bo.key"), cy: filepath.Join(dir, "cy.key")}
	for _, k := range []string{s.ana, s.bo, s.cy} {
		must(t, s.pins, "keygen", "-classic", "-o", k)
	}
	s.th = testserver.NewHub(t, "it", publicKeyOf(t, s.ana), publicKeyOf(t, s.bo), publicKeyOf(t, s.cy))
	cfg := config.Default()
	cfg.Hubs = []config.Hub{s.th.Config}
	s.srv = newServer(t, cfg)
	s.hub = s.srv.URL + "/hubs/it"
	defender := filepath.Join(dir, "defender")
	out, stderr := must(t, defender, "submit", "-hub", s.hub, "-m", restrictReport)
	s.id = strings.TrimSpace(out)
	name := codenameOf(t, stderr)
	t.Setenv(client.ConfigDirEnv, defender)
	var so, se bytes.Buffer
	if code := cliMain([]string{"followup", "-hub", s.hub, "-codename-fd", secretFD(t, name)}, "canary-followup", &so, &se); code != 0 {
		t.Fatalf("followup: exit %d\n%s", code, se.String())
	}
	out, _ = must(t, defender, "submit", "-hub", s.hub, "-no-codename", "-m", "another report")
	s.other = strings.TrimSpace(out)
	must(t, s.pins, "case", "labels", "-hub", s.hub, "-i", s.ana, "+"+restrictLabelCanary)
	must(t, s.pins, "case", "note", "-hub", s.hub, "-i", s.ana, s.id, restrictNoteCanary)
	must(t, s.pins, "case", "label", "-hub", s.hub, "-i", s.ana, s.id, "+"+restrictLabelCanary)
	c, _ := loginAs(t, s.hub, s.ana)
	subs, err := c.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, sub := range subs {
		if sub.Thread == s.id && sub.ID != s.id {
			s.followup = sub.ID
		}
	}
	if s.followup == "" {
		t.Fatal("no follow-up listed")
	}
	return s
}

// blobs returns, downloaded by member (a key file), the report, the
// follow-up and the case record of the case.
func (s *restrictStory) blobs(t *testing.T, member string) map[string][]byte {
	t.Helper()
	c, _ := loginAs(t, s.hub, member)
	ctx := context.Background()
	out := map[string][]byte{}
	for name, id := range map[string]string{"report": s.id, "follow-up": s.followup} {
		var b bytes.Buffer
		if _, err := c.Download(ctx, id, &b); err != nil {
			t.Fatalf("%s downloads the %s: %v", filepath.Base(member), name, err)
		}
		out[name] = b.Bytes()
	}
	ct, _, err := c.GetCase(ctx, s.id)
	if err != nil || ct == nil {
		t.Fatalf("%s reads the case record: %v", filepath.Base(member), err)
	}
	out["case record"] = ct
	return out
}

// stockAgeReads reports whether the stock age tool decrypts ct with the
// identity file key.
func stockAgeReads(t *testing.T, agePath string, ct []byte, key string) bool {
	t.Helper()
	cmd := exec.Command(agePath, "-d", "-i", key)
	cmd.Stdin = bytes.NewReader(ct)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && !strings.Contains(stderr.String(), "no identity matched") {
		t.Fatalf("age -d failed otherwise than for a missing identity: %v\n%s", err, stderr.String())
	}
	return err == nil && len(out) > 0
}

// readable checks who, of the keys, the stock age tool lets read every
// blob of the case.
func (s *restrictStory) readable(t *testing.T, agePath, via string, who map[string]bool) {
	t.Helper()
	for name, ct := range s.blobs(t, via) {
		for key, want := range who {
			if got := stockAgeReads(t, agePath, ct, key); got != want {
				t.Errorf("age -d -i %s of the %s: readable %v, want %v", filepath.Base(key), name, got, want)
			}
		}
	}
}

// TestRestrictedCaseStory: Ana restricts a case to herself and Bo; Cy
// can fetch nothing of it from the hub, decrypt none of its blobs with
// the stock age tool, and sees "1 restricted case" in the inbox; Ana and
// Bo still read it. A rotation that removes Bo keeps it readable by Ana
// only; Cy's rekey leaves it alone and says so; a case all of whose
// responders left is "no remaining member can read it". Lifting opens it
// to everyone again. The database and the logs hold no note or label.
func TestRestrictedCaseStory(t *testing.T) {
	agePath := tool.Need(t, "age", "apt-get install age")
	s := newRestrictStory(t)
	ctx := context.Background()

	// Before: everyone reads everything.
	s.readable(t, agePath, s.cy, map[string]bool{s.ana: true, s.bo: true, s.cy: true})

	out, stderr := must(t, s.pins, "case", "restrict", "-hub", s.hub, "-i", s.ana, s.id, "Responder 1", "Responder 2")
	if !strings.Contains(stderr, "is restricted to Responder 1, Responder 2 (3 files encrypted again)") {
		t.Errorf("restrict says:\n%s%s", out, stderr)
	}
	s.readable(t, agePath, s.bo, map[string]bool{s.ana: true, s.bo: true, s.cy: false})

	// Cy: refused everything, sees only a count.
	cy, _ := loginAs(t, s.hub, s.cy)
	for name, id := range map[string]string{"report": s.id, "follow-up": s.followup} {
		if _, err := cy.Download(ctx, id, &bytes.Buffer{}); !client.IsRestricted(err) {
			t.Errorf("Cy downloads the %s: %v, want restricted", name, err)
		}
	}
	if _, _, err := cy.GetCase(ctx, s.id); !client.IsRestricted(err) {
		t.Errorf("Cy reads the case record: %v", err)
	}
	if _, err := cy.ResponderThread(ctx, s.id); !client.IsRestricted(err) {
		t.Errorf("Cy reads the conversation: %v", err)
	}
	if err := cy.SetStatus(ctx, s.id, "closed"); !client.IsRestricted(err) {
		t.Errorf("Cy closes the case: %v", err)
	}
	if _, err := cy.Unrestrict(ctx, s.id, 1); !client.IsRestricted(err) {
		t.Errorf("Cy lifts the restriction: %v", err)
	}
	out, stderr = must(t, s.pins, "inbox", "-hub", s.hub, "-i", s.cy)
	if strings.Contains(out, s.id) || strings.Contains(out, s.followup) || !strings.Contains(out, s.other) ||
		!strings.Contains(stderr, "1 restricted case, restricted to other responders of the hub, not shown") {
		t.Errorf("Cy's inbox:\n%s%s", out, stderr)
	}
	for _, sub := range []string{"show", "note"} {
		args := []string{"case", sub, "-hub", s.hub, "-i", s.cy, s.id}
		if sub == "note" {
			args = append(args, "let me in")
		}
		refused(t, s.pins, []string{"restricted to other responders", "hint: the case is restricted to other responders of the hub: ask one of them"}, args...)
	}
	refused(t, s.pins, []string{"restricted to other responders"}, "case", "unrestrict", "-hub", s.hub, "-i", s.cy, s.id)
	// Bo still works on it, sealed to the two.
	must(t, s.pins, "case", "note", "-hub", s.hub, "-i", s.bo, s.id, restrictNoteCanary+" from Bo")
	out, _ = must(t, s.pins, "case", "show", "-hub", s.hub, "-i", s.ana, s.id)
	if !strings.Contains(out, restrictNoteCanary+" from Bo") || !strings.Contains(out, restrictNoteCanary) ||
		!strings.Contains(out, "restricted: Responder 1, Responder 2\n") {
		t.Errorf("Ana's show:\n%s", out)
	}
	s.readable(t, agePath, s.ana, map[string]bool{s.ana: true, s.bo: true, s.cy: false})

	// Running restrict again changes nothing but the record's sealing.
	_, stderr = must(t, s.pins, "case", "restrict", "-hub", s.hub, "-i", s.bo, s.id, "Responder 2", "Responder 1")
	if !strings.Contains(stderr, "(1 file encrypted again)") {
		t.Errorf("restrict again says:\n%s", stderr)
	}

	// Bo restricts the other report to himself only: once Bo leaves, no
	// remaining member can read it.
	must(t, s.pins, "case", "restrict", "-hub", s.hub, "-i", s.bo, s.other, "Responder 2")

	// The rotation removes Bo.
	admin := filepath.Join(s.dir, "admin")
	must(t, admin, "admin", "manifest", "-from", s.hub, "-key", s.th.AdminKeyFile, "-remove", publicKeyOf(t, s.bo), "-o", filepath.Join(s.dir, "it-2.manifest"))
	must(t, admin, "admin", "sign", "-key", s.th.AdminKeyFile, "-o", filepath.Join(s.dir, "it-2.json"), filepath.Join(s.dir, "it-2.manifest"))
	must(t, admin, "admin", "publish", "-hub", s.hub, "-i", s.ana, filepath.Join(s.dir, "it-2.json"))

	// Cy's rekey cannot touch the case and says so.
	_, stderr = must(t, s.pins, "rekey", "-hub", s.hub, "-i", s.cy)
	for _, want := range []string{"2 cases restricted to other responders left as they are", "1 restricted case: no remaining member can read it"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("Cy's rekey does not say %q:\n%s", want, stderr)
		}
	}
	// Ana's rekey moves the case to herself only, case record included.
	_, stderr = must(t, s.pins, "rekey", "-hub", s.hub, "-i", s.ana)
	for _, want := range []string{"2 submissions to move to epoch 2", "sealed 1 case record again to epoch 2"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("Ana's rekey does not say %q:\n%s", want, stderr)
		}
	}
	s.readable(t, agePath, s.ana, map[string]bool{s.ana: true, s.bo: false, s.cy: false})
	ana, _ := loginAs(t, s.hub, s.ana)
	rs, err := ana.GetRestriction(ctx, s.id)
	if err != nil || len(rs.Keys) != 1 || rs.Keys[0] != publicKeyOf(t, s.ana) {
		t.Errorf("the restriction after the rotation: %+v %v, want Ana's key only", rs, err)
	}
	_, stderr = must(t, s.pins, "inbox", "-hub", s.hub, "-i", s.ana)
	if !strings.Contains(stderr, "1 restricted case: no remaining member can read it") {
		t.Errorf("Ana's inbox:\n%s", stderr)
	}

	// Lifted: everyone in the hub reads it again.
	_, stderr = must(t, s.pins, "case", "unrestrict", "-hub", s.hub, "-i", s.ana, s.id)
	if !strings.Contains(stderr, "is open to all the hub's responders again (3 files encrypted again)") {
		t.Errorf("unrestrict says:\n%s", stderr)
	}
	s.readable(t, agePath, s.cy, map[string]bool{s.ana: true, s.cy: true, s.bo: false})
	out, _ = must(t, s.pins, "case", "show", "-hub", s.hub, "-i", s.cy, s.id)
	if !strings.Contains(out, restrictNoteCanary+" from Bo") {
		t.Errorf("Cy's show after the lift:\n%s", out)
	}

	// No note and no hub label in the database or the logs; the
	// restriction's keys are there, by design.
	db, err := os.ReadFile(filepath.Join(s.srv.DataDir, daemon.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, canary := range []string{restrictNoteCanary, restrictLabelCanary, "canary-followup", restrictReport} {
		if bytes.Contains(db, []byte(canary)) || strings.Contains(s.srv.Logs(), canary) {
			t.Errorf("the database or the logs hold %q in plaintext", canary)
		}
	}
}

// TestRestrictHostileCommands: a restriction to nobody, to an unknown
// label, to a label twice or without oneself is refused with a clear
// error, and the case stays open and readable by all.
func TestRestrictHostileCommands(t *testing.T) {
	s := newRestrictStory(t)
	cases := []struct {
		name   string
		labels []string
		says   []string
	}{
		{"nobody", nil, []string{"case restrict expects the labels of the responders"}},
		{"unknown label", []string{"Responder 1", "Nobody"}, []string{`no responder of the hub is labelled "Nobody"`, "Responder 1, Responder 2, Responder 3"}},
		{"twice", []string{"Responder 1", "Responder 1"}, []string{`"Responder 1" is named twice`}},
		{"without oneself", []string{"Responder 2"}, []string{"your own label is not in the list", "add your label (Responder 1)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"case", "restrict", "-hub", s.hub, "-i", s.ana, s.id}, c.labels...)
			code, _, stderr := run(t, s.pins, args...)
			if code == 0 {
				t.Fatalf("accepted")
			}
			for _, want := range c.says {
				if !strings.Contains(stderr, want) {
					t.Errorf("does not say %q:\n%s", want, stderr)
				}
			}
		})
	}
	if code, _, stderr := run(t, s.pins, "case", "unrestrict", "-hub", s.hub, "-i", s.ana, s.id, "Responder 1"); code != 2 || !strings.Contains(stderr, "case unrestrict expects only the case's id") {
		t.Errorf("unrestrict with a label: exit %d\n%s", code, stderr)
	}
	refused(t, s.pins, []string{"restrict the case by the id of the submission that opened it"}, "case", "restrict", "-hub", s.hub, "-i", s.ana, s.followup, "Responder 1")
	cy, _ := loginAs(t, s.hub, s.cy)
	rs, err := cy.GetRestriction(context.Background(), s.id)
	if err != nil || rs.Version != 0 || len(rs.Keys) != 0 {
		t.Errorf("after the refusals: %+v %v", rs, err)
	}
	if _, err := cy.Download(context.Background(), s.id, &bytes.Buffer{}); err != nil {
		t.Errorf("Cy after the refusals: %v", err)
	}
}

// TestRestrictedConversation: in a conversation with replies, restrict
// encrypts every reply again to the case's responders and to the
// defender, who still reads them; a reply sent while the case is
// restricted goes to the same; Cy reads none of it.
func TestRestrictedConversation(t *testing.T) {
	dir := t.TempDir()
	pins, defender := filepath.Join(dir, "pins"), filepath.Join(dir, "defender")
	key := func(n string) string { return filepath.Join(dir, n+".key") }
	for _, n := range []string{"ana", "bo", "cy"} {
		must(t, pins, "keygen", "-o", key(n))
	}
	th := testserver.NewHub(t, "it", publicKeyOf(t, key("ana")), publicKeyOf(t, key("bo")), publicKeyOf(t, key("cy")))
	cfg := config.Default()
	cfg.Hubs = []config.Hub{th.Config}
	srv := newServer(t, cfg)
	hub := srv.URL + "/hubs/it"
	out, stderr := must(t, defender, "submit", "-hub", hub, "-m", "canary-conversation-report")
	id := strings.TrimSpace(out)
	name := codenameOf(t, stderr)
	out, _ = must(t, pins, "reply", "-hub", hub, "-i", key("ana"), "-m", "canary-reply-before", id)
	before := strings.TrimSpace(out)

	_, stderr = must(t, pins, "case", "restrict", "-hub", hub, "-i", key("ana"), id, "Responder 1", "Responder 2")
	if !strings.Contains(stderr, "(2 files encrypted again)") {
		t.Errorf("restrict says:\n%s", stderr)
	}
	out, _ = must(t, pins, "reply", "-hub", hub, "-i", key("bo"), "-m", "canary-reply-after", id)
	after := strings.TrimSpace(out)

	ana, _ := loginAs(t, hub, key("ana"))
	for _, mid := range []string{id, before, after} {
		var b bytes.Buffer
		if _, err := ana.Download(context.Background(), mid, &b); err != nil {
			t.Fatal(err)
		}
		if canDecrypt(t, b.Bytes(), readIdentities(t, key("cy"))...) {
			t.Errorf("Cy can decrypt %s", mid)
		}
		if !canDecrypt(t, b.Bytes(), readIdentities(t, key("bo"))...) {
			t.Errorf("Bo cannot decrypt %s", mid)
		}
	}
	out, _ = must(t, defender, "check", "-hub", hub, "-codename-fd", secretFD(t, name))
	if !strings.Contains(out, "canary-reply-before") || !strings.Contains(out, "canary-reply-after") {
		t.Errorf("the defender reads:\n%s", out)
	}
}
