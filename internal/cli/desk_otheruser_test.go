//go:build linux

package cli_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/tool"
	"difesa.org/difesa/internal/testutil/unprivileged"
)

// otherUserPlanEnv carries, to the process that plays the other user,
// what it tries (an [otherUserPlan] in JSON).
const otherUserPlanEnv = "DIFESA_TEST_OTHER_USER_PLAN"

// otherUserMark starts each line of the other user's findings.
const otherUserMark = "OTHER-USER-ATTEMPT "

// otherUserPlan is what the other user of the computer tries.
type otherUserPlan struct {
	Host  string   // the desk's 127.0.0.1:PORT
	Files []string // files to read
	Dirs  []string // folders to list
	PID   int      // the desk's process
	Paths []string // desk addresses to request
}

// attempt is one thing the other user tried, and what came of it.
type attempt struct {
	What   string
	Denied bool   // a permission error
	Err    string // any error
	Status int    // an HTTP answer's status
	Data   string // what it got
}

// A second user of the responder's computer, with a shell of their own,
// tries everything such a user can against a running "difesa desk" (a
// real process, started by this test's user, with the system opener
// replaced by a program that only notes the launch page it is given):
// the desk's port with its exact Host, without a cookie, with a guessed
// cookie, secret and CSRF token (a refusal, never content); the desk's
// folder and its vault files, the launch page and its folder (permission
// denied); the desk process's command line (readable by all: no secret in
// it) and its environment and open files (denied). The desk's own user
// then opens the desk and sees the report, and the other user tries again
// with the report's own address.
func TestDeskAgainstAnotherLocalUser(t *testing.T) {
	if os.Geteuid() != 0 {
		tool.Missing(t, "playing another user of this computer needs root, to start a process as the user nobody")
	}
	srv := testserver.New(t)
	isolatePins(t)
	subID := srv.Fill(t, 1, time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))[0].ID.String()
	const plaintext = "a report among many" // what Fill encrypts

	// A folder the other user may enter, so that what stops them is the
	// desk's own modes, not the test's private temporary folder.
	base := t.TempDir()
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(base, "bin")
	opened := filepath.Join(base, "opener-was-given")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	opener := "#!/bin/sh\nprintf '%s\\n' \"$1\" > " + opened + ".tmp && mv " + opened + ".tmp " + opened + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(opener), 0o755); err != nil {
		t.Fatal(err)
	}
	deskDir := filepath.Join(base, "desk")
	desk := startDeskProcess(t, append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "TMPDIR="+base),
		"desk", "-hub", srv.HubURL, "-i", srv.IdentityFile, "-dir", deskDir)
	exited, stderr := desk.exited, desk.stderr
	address := desk.address
	u, err := url.Parse(address)
	if err != nil || u.Query().Get("k") == "" {
		t.Fatalf("address %q", address)
	}
	secret := u.Query().Get("k")
	launch := waitForFile(t, opened, exited)

	// What the desk's own user sees of the desk's files.
	var files, dirs []string
	dirs = append(dirs, deskDir, filepath.Dir(launch))
	files = append(files, launch)
	err = filepath.WalkDir(deskDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
			dirs = append(dirs, p)
		} else {
			files = append(files, p)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, not %v", p, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("the desk's folder holds no file: %v", files)
	}
	for p, want := range map[string]fs.FileMode{launch: 0o600, filepath.Dir(launch): 0o700} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("launch page %s: %v %v", p, fi, err)
		}
	}
	// The secret is in no command line and no environment, read as the
	// desk's own user (who may read both).
	for _, f := range []string{"cmdline", "environ"} {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(desk.cmd.Process.Pid) + "/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), secret) {
			t.Errorf("the desk's secret is in its /proc/PID/%s", f)
		}
	}
	plan := otherUserPlan{
		Host: u.Host, Files: files, Dirs: dirs, PID: desk.cmd.Process.Pid,
		Paths: []string{"/", "/search", "/local", "/events", "/case/x/" + subID},
	}
	forbidden := []string{plaintext, secret, subID}
	checkOtherUser(t, plan, forbidden)

	// The desk's own user opens it, and waits for the report.
	cl := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Get(address)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(resp.Cookies()) != 1 {
		t.Fatalf("the desk's own user could not open it: %s", resp.Status)
	}
	cookie := resp.Cookies()[0]
	get := func(path string) string {
		req, _ := http.NewRequest("GET", "http://"+u.Host+path, nil)
		req.AddCookie(cookie)
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	link := regexp.MustCompile(`href="(/case/[^/"]+/` + regexp.QuoteMeta(subID) + `)"`)
	var caseURL string
	for deadline := time.Now().Add(60 * time.Second); caseURL == ""; {
		if m := link.FindStringSubmatch(get("/")); m != nil {
			caseURL = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("the report never reached the inbox\n%s", stderr)
		} else {
			select {
			case err := <-exited:
				t.Fatalf("the desk stopped: %v\n%s", err, stderr)
			case <-time.After(100 * time.Millisecond): // polling the inbox, bounded by the deadline
			}
		}
	}
	if !strings.Contains(get(caseURL), plaintext) {
		t.Fatal("the desk's own user does not see the report")
	}
	plan.Files, plan.Dirs = files[1:], dirs[:1] // the launch page is gone once opened
	plan.Paths = append(plan.Paths, caseURL, caseURL+"/file/0")
	checkOtherUser(t, plan, append(forbidden, cookie.Value))
	if strings.Contains(stderr.String(), secret) || strings.Contains(stderr.String(), plaintext) {
		t.Errorf("the desk's log holds the secret or the report:\n%s", stderr)
	}
}

// waitForFile waits for the fake opener's note and returns the launch
// page it names.
func waitForFile(t *testing.T, path string, exited <-chan error) string {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; {
		if b, err := os.ReadFile(path); err == nil {
			return strings.TrimSpace(string(b))
		}
		if time.Now().After(deadline) {
			t.Fatal("the desk never called the system opener")
		}
		select {
		case err := <-exited:
			t.Fatalf("the desk stopped: %v", err)
		case <-time.After(50 * time.Millisecond): // polling a file another process writes, bounded
		}
	}
}

// checkOtherUser runs the other user's attempts, as the user nobody, and
// checks that each was refused and got none of forbidden.
func checkOtherUser(t *testing.T, plan otherUserPlan, forbidden []string) {
	t.Helper()
	js, _ := json.Marshal(plan)
	cmd := unprivileged.Command(t, "TestDeskOtherUserPlays", otherUserPlanEnv+"="+string(js))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestDeskOtherUserPlays") {
		t.Fatalf("the other user's process: %v\n%s", err, out)
	}
	var got []attempt
	for _, l := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(l, otherUserMark); ok {
			var a attempt
			if err := json.Unmarshal([]byte(rest), &a); err != nil {
				t.Fatal(err)
			}
			got = append(got, a)
		}
	}
	if want := len(plan.Files) + len(plan.Dirs) + 4 + 4*len(plan.Paths); len(got) != want {
		t.Fatalf("%d attempts reported, not %d:\n%s", len(got), want, out)
	}
	t.Logf("the other user (uid %d) tried %d things", cmd.SysProcAttr.Credential.Uid, len(got))
	for _, a := range got {
		for _, f := range forbidden {
			if strings.Contains(a.Data, f) || strings.Contains(a.Err, f) {
				t.Errorf("%s: the other user got %q", a.What, f)
			}
		}
		switch {
		case strings.HasSuffix(a.What, "/cmdline"):
			if a.Err != "" || a.Data == "" {
				t.Errorf("%s: %s (a command line is readable by all: the test must read it)", a.What, a.Err)
			}
		case strings.HasPrefix(a.What, "GET "), strings.HasPrefix(a.What, "POST "):
			if a.Status != http.StatusForbidden {
				t.Errorf("%s: %d, not a refusal", a.What, a.Status)
			}
		default:
			if !a.Denied {
				t.Errorf("%s: not denied (%s, %d bytes)", a.What, a.Err, len(a.Data))
			}
		}
	}
}

// TestDeskOtherUserPlays is the other user of TestDeskAgainstAnotherLocalUser,
// run by it as the user nobody; alone, it has nothing to do.
func TestDeskOtherUserPlays(t *testing.T) {
	js := os.Getenv(otherUserPlanEnv)
	if js == "" {
		t.Skip("played by TestDeskAgainstAnotherLocalUser")
	}
	var plan otherUserPlan
	if err := json.Unmarshal([]byte(js), &plan); err != nil {
		t.Fatal(err)
	}
	report := func(a attempt) {
		b, _ := json.Marshal(a)
		os.Stdout.Write([]byte("\n" + otherUserMark + string(b) + "\n"))
	}
	fileAttempt := func(what string, data []byte, err error) {
		a := attempt{What: what, Data: string(data), Denied: errors.Is(err, fs.ErrPermission)}
		if err != nil {
			a.Err = err.Error()
		}
		report(a)
	}
	for _, f := range plan.Files {
		b, err := os.ReadFile(f)
		fileAttempt("read "+f, b, err)
	}
	for _, d := range plan.Dirs {
		es, err := os.ReadDir(d)
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		fileAttempt("list "+d, []byte(strings.Join(names, "\n")), err)
	}
	proc := "/proc/" + strconv.Itoa(plan.PID)
	for _, f := range []string{"cmdline", "environ", "mem"} {
		b, err := os.ReadFile(proc + "/" + f)
		fileAttempt("read "+proc+"/"+f, b, err)
	}
	es, err := os.ReadDir(proc + "/fd")
	fileAttempt("list "+proc+"/fd", []byte(strconv.Itoa(len(es))), err)

	cl := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	guess := func() string {
		b := make([]byte, 32)
		rand.Read(b)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	do := func(what string, req *http.Request) {
		a := attempt{What: what}
		resp, err := cl.Do(req)
		if err != nil {
			a.Err = err.Error()
		} else {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			a.Status, a.Data = resp.StatusCode, string(b)
			for k, v := range resp.Header {
				a.Data += "\n" + k + ": " + strings.Join(v, ",")
			}
		}
		report(a)
	}
	origin := "http://" + plan.Host
	for _, p := range plan.Paths {
		req, _ := http.NewRequest("GET", origin+p, nil)
		do("GET "+p+" without a cookie", req)
		req, _ = http.NewRequest("GET", origin+p, nil)
		req.AddCookie(&http.Cookie{Name: "difesa_desk", Value: guess()})
		do("GET "+p+" with a guessed cookie", req)
		req, _ = http.NewRequest("GET", origin+"/open?k="+guess()+"&next="+url.QueryEscape(p), nil)
		do("GET /open with a guessed secret, then "+p, req)
		req, _ = http.NewRequest("POST", origin+p, strings.NewReader("csrf="+guess()+"&status=closed"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.AddCookie(&http.Cookie{Name: "difesa_desk", Value: guess()})
		do("POST "+p+" with a guessed cookie and CSRF token", req)
	}
}
