package cli_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"difesa.org/difesa/internal/cli"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
	"filippo.io/age"
)

// cliMain runs the command in-process with stdin as standard input.
func cliMain(args []string, stdin string, stdout, stderr io.Writer) int {
	return cli.Main(args, strings.NewReader(stdin), stdout, stderr)
}

// secretFD returns, as a flag value, a file descriptor from which secret
// can be read once. The command closes it.
func secretFD(t *testing.T, secret string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, secret+"\n"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	fd, err := syscall.Dup(int(r.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	return strconv.Itoa(fd)
}

var shownCodename = regexp.MustCompile(`(?m)^    ([a-z]+(?:-[a-z]+){6,})$`)

// codenameOf returns the codename that submit showed on standard error,
// checking it is shown exactly once.
func codenameOf(t *testing.T, stderr string) string {
	t.Helper()
	m := shownCodename.FindAllStringSubmatch(stderr, -1)
	if len(m) != 1 {
		t.Fatalf("submit showed %d codenames:\n%s", len(m), stderr)
	}
	if strings.Count(stderr, m[0][1]) != 1 {
		t.Fatalf("the codename is shown more than once:\n%s", stderr)
	}
	return m[0][1]
}

// TestConversation plays a whole conversation through the CLI against a
// real server: report with a codename, replies, follow-ups, a responder
// removed in between, the archive rekeyed, and the defender deleting it
// all. At the end, nothing of the plaintexts, the codename or the token is
// in the server's database or logs.
func TestConversation(t *testing.T) {
	dir := t.TempDir()
	defender := filepath.Join(dir, "defender-pins")
	responder := filepath.Join(dir, "responder-pins")
	admin := filepath.Join(dir, "admin-pins")
	key := func(name string) string { return filepath.Join(dir, name) }
	for _, name := range []string{"ana.key", "leaver.key"} {
		must(t, admin, "keygen", "-o", key(name))
	}
	h := testserver.NewHub(t, "it", publicKeyOf(t, key("ana.key")), publicKeyOf(t, key("leaver.key")))
	cfg := config.Default()
	cfg.Hubs = []config.Hub{h.Config}
	srv := newServer(t, cfg)
	hub := srv.URL + "/hubs/it"

	const (
		reportText   = "canary-report: they took my phone at the border"
		reply1Text   = "canary-reply-one: we read you, a lawyer will call"
		followupText = "canary-followup: they gave the phone back, broken"
		reply2Text   = "canary-reply-two: bring it to us, we will check it"
	)
	attachment := writeFile(t, key("advice.txt"), []byte("canary-attachment: who to call\n"))

	// The defender reports; a codename is shown once, the id goes to
	// standard output.
	out, stderr := must(t, defender, "submit", "-hub", hub, "-category", "surveillance", "-m", reportText)
	id := strings.TrimSpace(out)
	if !regexp.MustCompile(`^[a-z2-7]{26}$`).MatchString(id) {
		t.Fatalf("submit printed %q", out)
	}
	name := codenameOf(t, stderr)
	for _, want := range []string{"write it down", "if you lose it, you cannot receive replies", "anyone who has it can read the replies", "difesa check -hub " + hub} {
		if !strings.Contains(stderr, want) {
			t.Errorf("submit does not say %q:\n%s", want, stderr)
		}
	}
	cn, err := codename.Parse(name)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := codename.Derive(cn, "it")
	if err != nil {
		t.Fatal(err)
	}

	// Before any reply.
	out, stderr = must(t, defender, "check", "-hub", hub, "-codename-fd", secretFD(t, name))
	if !strings.Contains(out, "you sent a report (") || !strings.Contains(out, "no reply yet") {
		t.Errorf("check before a reply:\n%s", out)
	}
	if !strings.Contains(stderr, "deriving keys…") {
		t.Errorf("check does not say it derives keys:\n%s", stderr)
	}

	// A responder replies, with a file.
	out, _ = must(t, responder, "reply", "-hub", hub, "-i", key("ana.key"), "-m", reply1Text, "-attach", attachment, id)
	reply1 := strings.TrimSpace(out)

	// The defender reads it, codename on a file descriptor; the file lands
	// in -o.
	replies := filepath.Join(dir, "replies")
	out, _ = must(t, defender, "check", "-hub", hub, "-codename-fd", secretFD(t, name), "-o", replies)
	if !strings.Contains(out, reply1Text) || !strings.Contains(out, "reply from the hub (") {
		t.Errorf("check after a reply:\n%s", out)
	}
	if got := mustRead(t, filepath.Join(replies, "advice.txt")); string(got) != "canary-attachment: who to call\n" {
		t.Errorf("advice.txt = %q", got)
	}
	// The codename also works as typed on standard input, with spaces and
	// capitals.
	typed := strings.ToUpper(strings.ReplaceAll(name, "-", " "))
	t.Setenv(client.ConfigDirEnv, defender)
	var so, se bytes.Buffer
	if code := cliMain([]string{"check", "-hub", hub, "-o", replies}, typed+"\n", &so, &se); code != 0 || !strings.Contains(so.String(), reply1Text) {
		t.Errorf("check with the codename on standard input: exit %d\n%s%s", code, so.String(), se.String())
	}

	// A follow-up, from standard input, codename on a file descriptor.
	t.Setenv(client.ConfigDirEnv, defender)
	so.Reset()
	se.Reset()
	if code := cliMain([]string{"followup", "-hub", hub, "-codename-fd", secretFD(t, name)}, followupText, &so, &se); code != 0 {
		t.Fatalf("followup: exit %d\n%s", code, se.String())
	}

	// The responder sees the whole conversation, in order.
	out, _ = must(t, responder, "thread", "-hub", hub, "-i", key("ana.key"), "-o", key("thread"), reply1)
	inOrder(t, out, "[1] a report from the defender", reportText, "[2] a reply from the responders", reply1Text,
		"[3] a follow-up from the defender", followupText)

	// The leaver is removed from the hub (epoch 2) before the next reply.
	must(t, admin, "admin", "manifest", "-from", hub, "-key", h.AdminKeyFile,
		"-remove", publicKeyOf(t, key("leaver.key")), "-o", key("it-2.manifest"))
	must(t, admin, "admin", "sign", "-key", h.AdminKeyFile, "-o", key("it-2.json"), key("it-2.manifest"))
	must(t, admin, "admin", "publish", "-hub", hub, "-i", key("ana.key"), key("it-2.json"))
	out, stderr = must(t, responder, "reply", "-hub", hub, "-i", key("ana.key"), "-m", reply2Text, id)
	reply2 := strings.TrimSpace(out)
	if !strings.Contains(stderr, "epoch 2") {
		t.Errorf("the second reply is not at epoch 2:\n%s", stderr)
	}

	// The leaver cannot read it: not through the hub, and not with its
	// ciphertext in hand. The defender can.
	refused(t, responder, []string{"the hub does not know the key"}, "thread", "-hub", hub, "-i", key("leaver.key"), id)
	ct := downloadAs(t, hub, key("ana.key"), reply2)
	if canDecrypt(t, ct, readIdentities(t, key("leaver.key"))...) {
		t.Error("the removed responder can decrypt the reply sent after their removal")
	}
	if !canDecrypt(t, ct, keys.Identity) || !canDecrypt(t, ct, readIdentities(t, key("ana.key"))...) {
		t.Error("the reply is not for the defender and the remaining responder")
	}

	out, _ = must(t, defender, "check", "-hub", hub, "-codename-fd", secretFD(t, name), "-o", replies)
	inOrder(t, out, "you sent a report", reply1Text, "you sent a follow-up", reply2Text)
	if strings.Contains(out, reportText) || strings.Contains(out, followupText) {
		t.Errorf("check shows the defender's own messages, which it cannot decrypt:\n%s", out)
	}

	// Rekey moves epoch-1 messages to epoch 2; the first reply stays
	// readable by the defender.
	_, stderr = must(t, responder, "rekey", "-hub", hub, "-i", key("ana.key"))
	if !strings.Contains(stderr, "moved 3 of 3 submissions to epoch 2") {
		t.Errorf("rekey:\n%s", stderr)
	}
	ct = downloadAs(t, hub, key("ana.key"), reply1)
	if !canDecrypt(t, ct, keys.Identity) || canDecrypt(t, ct, readIdentities(t, key("leaver.key"))...) {
		t.Error("after rekey, the first reply is not for the defender and the current responders only")
	}
	out, _ = must(t, defender, "check", "-hub", hub, "-codename-fd", secretFD(t, name), "-o", replies)
	inOrder(t, out, reply1Text, reply2Text)

	// A wrong codename gets no_thread, and nothing else.
	other, err := codename.Generate()
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"check", "followup", "forget"} {
		args := []string{cmd, "-hub", hub, "-codename-fd", secretFD(t, other.String())}
		if cmd == "followup" {
			args = append(args, "-m", "lost")
		}
		if cmd == "forget" {
			args = append(args, "-y")
		}
		code, out, stderr := run(t, defender, args...)
		if code != 1 || out != "" || !strings.Contains(stderr, "error: no conversation for this codename at this hub") {
			t.Errorf("%s with a wrong codename: exit %d, stdout %q\n%s", cmd, code, out, stderr)
		}
		if strings.Contains(stderr, reply1Text) || strings.Contains(stderr, other.String()) {
			t.Errorf("%s with a wrong codename said too much:\n%s", cmd, stderr)
		}
	}
	code, _, stderr := run(t, defender, "check", "-hub", hub, "-codename-fd", secretFD(t, "not a codename at all really"))
	if code != 1 || !strings.Contains(stderr, "is not one difesa uses") || strings.Contains(stderr, "codename at all") {
		t.Errorf("check with garbage: exit %d\n%s", code, stderr)
	}

	// The defender deletes it all.
	refused(t, defender, []string{"refusing to delete the conversation without confirmation"},
		"forget", "-hub", hub, "-codename-fd", secretFD(t, name))
	_, stderr = must(t, defender, "forget", "-hub", hub, "-y", "-codename-fd", secretFD(t, name))
	if !strings.Contains(stderr, "deleted your conversation at hub \"it\" (messages: 4)") {
		t.Errorf("forget:\n%s", stderr)
	}
	refused(t, defender, []string{"no conversation for this codename at this hub"},
		"check", "-hub", hub, "-codename-fd", secretFD(t, name))
	list, _ := must(t, responder, "inbox", "-hub", hub, "-i", key("ana.key"))
	for _, gone := range []string{id, reply1, reply2} {
		if strings.Contains(list, gone) {
			t.Errorf("%s is still in the inbox:\n%s", gone, list)
		}
	}

	// Canaries: nothing secret reached the server's disk or logs.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Instance.Shutdown(ctx)
	canaries := []string{reportText, reply1Text, followupText, reply2Text, "canary-attachment", "canary-",
		name, strings.ReplaceAll(name, "-", " "), keys.Recipient,
		codename.TokenString(keys.Token), string(keys.Token[:])}
	var scanned int
	filepath.WalkDir(srv.DataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data := mustRead(t, path)
		scanned++
		for _, c := range canaries {
			if bytes.Contains(data, []byte(c)) {
				t.Errorf("%s holds a secret (%.20q…)", path, c)
			}
		}
		return nil
	})
	if scanned == 0 {
		t.Error("no file in the data folder to scan")
	}
	logs := srv.Logs()
	if logs == "" {
		t.Error("the server logged nothing; the scan proves nothing")
	}
	for _, c := range canaries {
		if strings.Contains(logs, c) {
			t.Errorf("the server's logs hold a secret (%.20q…)", c)
		}
	}
}

// inOrder checks that every want appears in s, in that order.
func inOrder(t *testing.T, s string, want ...string) {
	t.Helper()
	rest := s
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("%q missing or out of order in:\n%s", w, s)
			return
		}
		rest = rest[i+len(w):]
	}
}

func downloadAs(t *testing.T, hub, keyFile, id string) []byte {
	t.Helper()
	c, err := client.New(hub, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Login(ctx, readIdentities(t, keyFile)[0]); err != nil {
		t.Fatal(err)
	}
	defer c.Logout(ctx)
	var buf bytes.Buffer
	if _, err := c.Download(ctx, id, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func canDecrypt(t *testing.T, ct []byte, ids ...age.Identity) bool {
	t.Helper()
	r, err := age.Decrypt(bytes.NewReader(ct), ids...)
	if err == nil {
		_, err = io.Copy(io.Discard, r)
	}
	return err == nil
}

// TestCodenameRateLimit: guessing codenames quickly meets the hub's limit,
// and the command says how long to wait.
func TestCodenameRateLimit(t *testing.T) {
	pins := filepath.Join(t.TempDir(), "pins")
	srv := newServer(t, config.Default())
	wrong, err := codename.Generate()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		code, _, stderr := run(t, pins, "check", "-hub", srv.HubURL, "-codename-fd", secretFD(t, wrong.String()))
		if code != 1 {
			t.Fatalf("attempt %d: exit %d\n%s", i, code, stderr)
		}
		if strings.Contains(stderr, "no conversation for this codename") {
			continue
		}
		if !strings.Contains(stderr, "error: the hub is limiting codename attempts right now") ||
			!regexp.MustCompile(`hint: wait [1-9]\d* s and try again`).MatchString(stderr) {
			t.Fatalf("attempt %d:\n%s", i, stderr)
		}
		return
	}
	t.Fatal("100 wrong codenames in a row and no limit")
}
