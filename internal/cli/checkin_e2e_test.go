package cli_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"difesa.org/difesa/internal/config"
)

var (
	shownCheckinCode = regexp.MustCompile(`(?m)^    check-in code:  (\S+)$`)
	shownDuressCode  = regexp.MustCompile(`(?m)^    duress code:    (\S+)$`)
	deadlineText     = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d \S+ \(in [^)]*\)`)
)

// TestCheckin sets up a check-in, checks in with both codes (which must be
// indistinguishable), and stops it; and sends an alert, listed first.
func TestCheckin(t *testing.T) {
	dir := t.TempDir()
	pins := filepath.Join(dir, "pins")
	srv := newServer(t, config.Default())
	hub := srv.HubURL

	// An ordinary report first, so that ordering means something.
	out, _ := must(t, pins, "submit", "-hub", hub, "-no-codename", "-m", "an ordinary report")
	report := strings.TrimSpace(out)

	out, stderr := must(t, pins, "checkin", "start", "-hub", hub, "-every", "2m", "-grace", "1m",
		"-m", "If I do not check in, call my sister.")
	if !strings.HasPrefix(out, "first check-in due by ") || !deadlineText.MatchString(out) {
		t.Errorf("checkin start printed:\n%s", out)
	}
	code, duress := shownCheckinCode.FindStringSubmatch(stderr), shownDuressCode.FindStringSubmatch(stderr)
	if code == nil || duress == nil || code[1] == duress[1] {
		t.Fatalf("checkin start did not show two codes:\n%s", stderr)
	}
	for _, want := range []string{"shown only this once", "every 2m, with 1m of grace",
		"looks exactly like a normal check-in", "alerts the hub's responders"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("checkin start does not say %q:\n%s", want, stderr)
		}
	}
	if strings.Count(stderr, code[1]) != 1 || strings.Count(stderr, duress[1]) != 1 {
		t.Errorf("a code is shown more than once:\n%s", stderr)
	}

	// The duress code and the check-in code give the same output. The
	// duress code goes first: it leaves the timer running.
	same := func(what string, args ...string) {
		t.Helper()
		var outs [2]string
		for i, c := range []string{duress[1], code[1]} {
			o, e := must(t, pins, append(args, "-code-fd", secretFD(t, c))...)
			outs[i] = deadlineText.ReplaceAllString(o+"\x00"+e, "DEADLINE")
		}
		if outs[0] != outs[1] {
			t.Errorf("%s: the duress code is distinguishable:\n%q\n%q", what, outs[0], outs[1])
		}
		if what == "checkin" && !strings.Contains(outs[0], "next check-in due by DEADLINE") {
			t.Errorf("checkin printed %q", outs[0])
		}
	}
	same("checkin", "checkin", "-hub", hub)
	// Codes are normalised as codenames: case and separators do not count.
	must(t, pins, "checkin", "-hub", hub, "-code-fd", secretFD(t, strings.ToUpper(strings.ReplaceAll(code[1], "-", "  "))))

	// An alert is listed first, marked; then the check-in, then the report.
	out, stderr = must(t, pins, "alert", "-hub", hub, "-m", "Police at the office", "-where", "Via Roma 1", "-needs", "a lawyer now")
	alert := strings.TrimSpace(out)
	if !strings.Contains(stderr, "ALERT sent") {
		t.Errorf("alert:\n%s", stderr)
	}
	list, stderr := must(t, pins, "inbox", "-hub", hub, "-i", srv.IdentityFile)
	// The alarms (the alert's, the duress check-in's) come first, then
	// the submissions.
	tables := strings.Split(list, "\n\n")
	lines := strings.Split(strings.TrimSpace(tables[len(tables)-1]), "\n")
	if len(lines) != 4 || !regexp.MustCompile(`^`+alert+` +alert .* new +URGENT$`).MatchString(lines[1]) {
		t.Errorf("inbox: the alert is not first, marked URGENT:\n%s", list)
	}
	if !strings.Contains(stderr, "1 URGENT alert") {
		t.Errorf("inbox does not warn of the alert:\n%s", stderr)
	}
	var instructions string
	for _, l := range lines[2:] {
		f := strings.Fields(l)
		switch {
		case f[1] == "checkin" && f[len(f)-1] == "new":
			instructions = f[0]
		case f[0] == report && f[len(f)-1] == "new":
		default:
			t.Errorf("inbox line %q", l)
		}
	}
	opened, _ := must(t, pins, "open", "-hub", hub, "-i", srv.IdentityFile, "-o", filepath.Join(dir, "a"), alert)
	for _, want := range []string{`(?m)^Kind +alert$`, `(?m)^Where +Via Roma 1$`, `(?m)^Needs +a lawyer now$`, `(?m)^Police at the office$`} {
		if !regexp.MustCompile(want).MatchString(opened) {
			t.Errorf("the alert opened as:\n%s", opened)
		}
	}
	opened, _ = must(t, pins, "open", "-hub", hub, "-i", srv.IdentityFile, "-o", filepath.Join(dir, "c"), instructions)
	if !regexp.MustCompile(`(?m)^Kind +checkin$`).MatchString(opened) || !strings.Contains(opened, "call my sister") {
		t.Errorf("the check-in instructions opened as:\n%s", opened)
	}

	// Stop with the duress code looks the same as stop, but the timer
	// goes on; stop with the check-in code ends it.
	same("checkin stop", "checkin", "stop", "-hub", hub)
	refused(t, pins, []string{"no check-in for this code at this hub"}, "checkin", "-hub", hub, "-code-fd", secretFD(t, code[1]))
	refused(t, pins, []string{"no check-in for this code at this hub"}, "checkin", "-hub", hub, "-code-fd", secretFD(t, duress[1]))
	// The instructions go with the timer; its alarm stays open, and names
	// them, until a responder acknowledges it.
	list, _ = must(t, pins, "inbox", "-hub", hub, "-i", srv.IdentityFile)
	if regexp.MustCompile(`(?m)^` + instructions + ` `).MatchString(list) {
		t.Errorf("the instructions outlived the check-in:\n%s", list)
	}
	if !regexp.MustCompile(`(?m)^\S+ +DURESS .* OPEN .*timer stopped at about .* ` + instructions + `$`).MatchString(list) {
		t.Errorf("the stopped timer's duress alarm is not listed as open:\n%s", list)
	}
}

func TestCheckinRefusals(t *testing.T) {
	pins := filepath.Join(t.TempDir(), "pins")
	srv := newServer(t, config.Default())
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no every", []string{"checkin", "start", "-hub", srv.HubURL, "-m", "x"}, 2, "missing -every"},
		{"bad every", []string{"checkin", "start", "-hub", srv.HubURL, "-every", "soon", "-m", "x"}, 2, "is not a duration"},
		{"no instructions", []string{"checkin", "start", "-hub", srv.HubURL, "-every", "24h", "-m", " "}, 2, "no instructions"},
		{"under the hub's minimum", []string{"checkin", "start", "-hub", srv.HubURL, "-every", "10s", "-m", "x"}, 1, "the hub refused the check-in"},
		{"code as argument", []string{"checkin", "-hub", srv.HubURL, "some-words"}, 2, "stay in your shell's history"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, pins, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d; stderr does not say %q:\n%s", code, tc.code, tc.want, stderr)
			}
		})
	}
}
