package daemon_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/bench"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/testutil/syncbuf"
	"difesa.org/difesa/internal/wire"
)

// cliEnv, set to 1, makes the test binary the difesa command line.
const cliEnv = "DIFESA_TEST_CLI"

// difesaCLI returns the command "difesa args…": the test binary as the
// command line, with its own configuration folder (pins) in dir.
func difesaCLI(t *testing.T, exe, dir string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), cliEnv+"=1", "DIFESA_TEST_SERVE=", client.ConfigDirEnv+"="+dir, "TZ=UTC")
	return cmd
}

// TestAlarmsSurviveSIGKILL is the proof list's "a missed check-in and a
// duress check-in each survive a server restart, are listed first by
// inbox and replayed by a watch started later" on real processes: difesad
// (on an injected clock) is killed with SIGKILL once both alarms opened;
// after the restart, "difesa inbox" and "difesa watch", each a process of
// its own, show both, open, alarms first.
func TestAlarmsSurviveSIGKILL(t *testing.T) {
	r := newEscalationRig(t, time.Date(2026, 11, 23, 10, 17, 0, 0, time.UTC))
	c := r.start()
	ctx := context.Background()

	missed := r.arm(c, "missed")
	code, err := codename.Generate()
	if err != nil {
		t.Fatal(err)
	}
	duress, err := codename.Generate()
	if err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(time.Hour) // the duress timer is due after the other
	if _, err := r.armCodes(c, client.CheckinVerifier(code.String()), client.CheckinVerifier(duress.String())); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CheckIn(ctx, duress.String()); err != nil {
		t.Fatal(err)
	}
	r.clock.Set(missed.Add(time.Second))
	r.waitHook("the missed check-in and the duress", func(as []bench.Arrival) bool {
		return len(ofType(as, wire.EventCheckinMissed)) > 0 && len(ofType(as, wire.EventCheckinDuress)) > 0
	})
	r.kill()

	r.start()
	dir := t.TempDir()
	idFile := filepath.Join(dir, "responder.key")
	if err := os.WriteFile(idFile, []byte(r.identity.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	inbox := difesaCLI(t, r.exe, dir, "inbox", "-hub", r.p.HubURL, "-i", idFile)
	inbox.Stdout, inbox.Stderr = &stdout, &stderr
	if err := inbox.Run(); err != nil {
		t.Fatalf("difesa inbox: %v\n%s", err, &stderr)
	}
	tables := strings.SplitN(stdout.String(), "\n\n", 2)
	if len(tables) != 2 || !strings.HasPrefix(tables[0], "ALARM ") {
		t.Fatalf("inbox does not list alarms first:\n%s", &stdout)
	}
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^\S+ +DURESS +.* OPEN +DURESS signal at about [^,]+ UTC +\S+$`), // and not missed
		regexp.MustCompile(`(?m)^\S+ +missed check-in +.* OPEN +missed at about `),
	} {
		if !re.MatchString(tables[0]) {
			t.Errorf("inbox alarms lack %s:\n%s", re, tables[0])
		}
	}
	if !strings.Contains(stderr.String(), "2 OPEN ALARMS") {
		t.Errorf("inbox does not warn of the open alarms:\n%s", &stderr)
	}

	wout, werr := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	watch := difesaCLI(t, r.exe, dir, "watch", "-hub", r.p.HubURL, "-i", idFile)
	watch.Stdout, watch.Stderr = wout, werr
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { watch.Process.Kill(); watch.Wait() }()
	for deadline := time.Now().Add(20 * time.Second); strings.Count(wout.String(), "OPEN ALARM since ") < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("watch replayed no two alarms in 20 s:\n%s\n%s", wout, werr)
		}
		time.Sleep(10 * time.Millisecond) // polling the child's output, which has no other signal
	}
	c, err = client.New(r.p.HubURL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(ctx, r.identity); err != nil {
		t.Fatal(err)
	}
	alarms, err := c.Alarms(ctx)
	if err != nil || len(alarms) != 2 {
		t.Fatalf("alarms %+v, %v", alarms, err)
	}
	for _, a := range alarms {
		if a.State != wire.AlarmOpen || !strings.Contains(wout.String(), "alarm "+a.ID) || !strings.Contains(stdout.String(), a.ID) {
			t.Errorf("alarm %+v: not open, or not in the watch's replay or the inbox:\n%s", a, wout)
		}
	}
}
