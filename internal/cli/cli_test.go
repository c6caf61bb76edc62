package cli_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/cli"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/testutil/tool"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	// Never the user's own pins. A test that pins without a folder of its
	// own (isolatePins) fails: this one cannot be created.
	if os.Getenv(client.ConfigDirEnv) == "" {
		os.Setenv(client.ConfigDirEnv, "/dev/null/difesa-tests-must-call-isolatePins")
	}
	testscript.Main(m, map[string]func(){
		"difesa": func() { os.Exit(cli.MainAt(scriptClock(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// scriptNowEnv holds, in a script's environment, the instant (RFC 3339,
// nanoseconds) its difesa commands and its server see as now.
const scriptNowEnv = "DIFESA_TEST_NOW"

// scriptClock is the clock of a difesa command a script runs: the
// script's instant, or the real clock outside scripts.
func scriptClock() func() time.Time {
	v := os.Getenv(scriptNowEnv)
	if v == "" {
		return time.Now
	}
	at, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bad %s: %v\n", scriptNowEnv, err)
		os.Exit(3)
	}
	return func() time.Time { return at.In(time.Local) }
}

// scriptsAt is the instant TestScripts runs every script at. Each script
// runs on a clock (its server's and its difesa commands'), never the real
// one, so that its result does not depend on when the suite runs.
var scriptsAt = time.Date(2026, 11, 23, 14, 20, 0, 0, time.UTC)

// TestScripts runs testdata/*.txtar, each against its own server: $HUB is
// the demo hub's address, $IDENTITY its responder key, $BASE the server.
func TestScripts(t *testing.T) {
	runScripts(t, scriptsAt, "UTC")
}

// TestScriptsAtInstants runs the scripts that show times at every instant
// of the calendar set (the start, the half and the end of a day, noon,
// month and year ends, a leap day, UTC+14 and UTC−3:30), with the difesa
// commands in UTC, Pacific/Kiritimati and America/St_Johns in turn; the
// hour after midnight UTC, which the inbox once printed as a bare date,
// in every zone.
func TestScriptsAtInstants(t *testing.T) {
	zones := []string{"UTC", "Pacific/Kiritimati", "America/St_Johns"}
	for i, at := range instants.All(t) {
		for j, tz := range zones {
			midnight := at.T.UTC().Hour() == 0 && !testing.Short()
			if j != i%len(zones) && !midnight {
				continue
			}
			t.Run(at.Name+"/TZ="+tz, func(t *testing.T) {
				t.Parallel()
				runScripts(t, at.T, tz, "submit_open.txtar", "conversation.txtar", "inbox.txtar")
			})
		}
	}
}

// runScripts runs the named scripts of testdata (all of them if none is
// named) with the server and every difesa command at instant at, and the
// commands' TZ set to tz. $RECEIVED is how the inbox shows a submission
// that arrives then.
func runScripts(t *testing.T, at time.Time, tz string, files ...string) {
	p := testscript.Params{
		Dir: "testdata",
		Setup: func(e *testscript.Env) error {
			tb, ok := e.T().(testing.TB)
			if !ok {
				return fmt.Errorf("testscript.T is not a testing.TB")
			}
			cfg := config.Default()
			cfg.DataDir = filepath.Join(tb.TempDir(), "data")
			srv := testserver.NewWithOptions(tb, cfg, testserver.Options{Now: func() time.Time { return at }})
			e.Setenv("HUB", srv.HubURL)
			e.Setenv("BASE", srv.URL)
			e.Setenv("IDENTITY", srv.IdentityFile)
			e.Setenv("ADMINKEY", srv.AdminKeyFile)
			e.Setenv(client.ConfigDirEnv, e.WorkDir+"/.difesa")
			e.Setenv(scriptNowEnv, at.Format(time.RFC3339Nano))
			e.Setenv("TZ", tz)
			e.Setenv("RECEIVED", at.UTC().Truncate(time.Hour).Format("2006-01-02 15:04")+" UTC")
			return nil
		},
		Condition: toolCondition,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"stdout2env": cmdStdout2Env,
			"stderr2env": cmdStderr2Env,
			"env2file":   cmdEnv2File,
			"mkrandom":   cmdMkrandom,
			"perm":       cmdPerm,
			"pubkey2env": cmdPubkey2Env,
			"adminfp":    cmdAdminFingerprint,
		},
	}
	if len(files) > 0 {
		p.Dir = ""
		for _, f := range files {
			p.Files = append(p.Files, filepath.Join("testdata", f))
		}
	}
	testscript.Run(t, p)
}

// newServer starts a test server with cfg, on a data folder that does not
// exist yet, so that the server creates it with the mode it requires.
func newServer(tb testing.TB, cfg *config.Config) *testserver.Server {
	tb.Helper()
	cfg.DataDir = filepath.Join(tb.TempDir(), "data")
	return testserver.NewWithConfig(tb, cfg)
}

// stdout2env NAME sets $NAME to the last command's standard output,
// trimmed: "exec difesa submit …" then "stdout2env ID".
func cmdStdout2Env(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: stdout2env NAME")
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile("stdout")))
}

// stderr2env NAME REGEXP sets $NAME to the first group of REGEXP in the
// last command's standard error (multi-line mode): "stderr2env CODENAME
// '^    ([a-z-]+)$'".
func cmdStderr2Env(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: stderr2env NAME REGEXP")
	}
	m := regexp.MustCompile("(?m)" + args[1]).FindStringSubmatch(ts.ReadFile("stderr"))
	if len(m) < 2 {
		ts.Fatalf("%q does not match standard error", args[1])
	}
	ts.Setenv(args[0], m[1])
}

// env2file NAME FILE writes $NAME and a newline to FILE, to feed it with
// stdin.
func cmdEnv2File(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: env2file NAME FILE")
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(ts.Getenv(args[0])+"\n"), 0o600))
}

// mkrandom FILE SIZE writes SIZE pseudo-random bytes to FILE.
func cmdMkrandom(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkrandom FILE SIZE")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	r := rand.NewChaCha8([32]byte{byte(n)})
	b := make([]byte, n)
	r.Read(b)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b, 0o644))
}

// perm FILE MODE checks a file's permission bits, in octal.
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: perm FILE MODE")
	}
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	got := fmt.Sprintf("%04o", fi.Mode().Perm())
	if (got == args[1]) == neg {
		ts.Fatalf("%s has mode %s", args[0], got)
	}
}

// pubkey2env NAME FILE sets $NAME to the "# public key:" of a key file
// (a responder key or an admin key).
func cmdPubkey2Env(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: pubkey2env NAME FILE")
	}
	for line := range strings.Lines(ts.ReadFile(args[1])) {
		if k, ok := strings.CutPrefix(strings.TrimSpace(line), "# public key: "); ok {
			ts.Setenv(args[0], k)
			return
		}
	}
	ts.Fatalf("%s has no public key comment", args[1])
}

// adminfp NAME FILE sets $NAME to the fingerprint of an admin key file.
func cmdAdminFingerprint(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: adminfp NAME FILE")
	}
	sk, err := manifest.ParseSecretKeyFile(strings.NewReader(ts.ReadFile(args[1])))
	ts.Check(err)
	ts.Setenv(args[0], sk.Public().Fingerprint())
}

// toolCondition answers [tool:NAME]: whether the program NAME is
// installed. Under CI=true a missing one fails the script instead (see
// internal/testutil/tool), so "[!tool:script] skip" never hides a test
// there.
func toolCondition(cond string) (bool, error) {
	name, ok := strings.CutPrefix(cond, "tool:")
	if !ok {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if _, err := exec.LookPath(name); err != nil {
		if tool.InCI() {
			return false, fmt.Errorf("CI=true and a prerequisite is missing: %s is not installed", name)
		}
		return false, nil
	}
	return true, nil
}
