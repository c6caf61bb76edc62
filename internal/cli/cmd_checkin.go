package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/wire"
)

const checkinUsage = `Usage:
    difesa checkin start -hub URL -every DURATION [-grace DURATION] [-m TEXT]
    difesa checkin -hub URL [-code-fd N]
    difesa checkin stop -hub URL [-code-fd N]

A check-in is a promise to tell the hub regularly that you are fine. If you
do not check in in time, the hub alerts its responders, who then read the
instructions you left.

"checkin start" sets it up. The instructions (who to call, what to do) are
the text of -m, or else standard input; they are encrypted on this
computer to the hub's responders, from the hub's signed list, and only
they can read them. difesa then shows two codes, once:

  - the check-in code: give it before each deadline, with "difesa checkin";
  - the duress code: if someone forces you to check in, give this one
    instead. To anyone watching it looks exactly like a normal check-in
    (same answer, same output, the timer goes on), but it alerts the hub's
    responders at once. "checkin stop" with it also looks like it worked,
    but the timer goes on and the responders are alerted.

"difesa checkin" checks in and shows the next deadline; "difesa checkin
stop" ends the timer and deletes the instructions. The code is asked for
without showing it on the screen; or it is read from file descriptor N
(-code-fd), or from standard input when that is not a terminal.

Durations are like 24h, 90m, 2d.

Options of start:
    -hub URL          The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -every DURATION   How often you will check in.
    -grace DURATION   How much longer the hub waits after a deadline before it
                      alerts the responders (default 0).
    -m TEXT           The instructions. Without -m they are read from
                      standard input.
    -lang TAG         The language you write in, like "es" or "pt-BR".
    -pin FINGERPRINT  The fingerprint of the hub's admin key, if difesa has
                      not pinned it yet.
    -proxy URL        Connect through a proxy, like socks5h://127.0.0.1:9050
                      for Tor (the default is $ALL_PROXY, if set).`

func runCheckin(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "start":
			return runCheckinStart(ctx, e, args[1:])
		case "stop":
			return runCheckinCode(ctx, e, "checkin stop", args[1:])
		}
	}
	return runCheckinCode(ctx, e, "checkin", args)
}

func runCheckinStart(ctx context.Context, e *env, args []string) error {
	const cmd = "checkin"
	flags := newFlagSet(cmd)
	var hf hubFlags
	hf.register(flags, cmd)
	hf.registerPin(flags)
	everyFlag := flags.String("every", "", "interval")
	graceFlag := flags.String("grace", "0", "grace")
	message := flags.String("m", "", "instructions")
	lang := flags.String("lang", "", "language")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf(cmd, "unexpected argument %q", pos[0]).hint(
			"to give the instructions use -m \"TEXT\" (with quotes)")
	}
	if *everyFlag == "" {
		return usageErrorf(cmd, "missing -every DURATION").hint("say how often you will check in, like -every 24h")
	}
	every, err := parseDuration(*everyFlag)
	if err != nil || every <= 0 {
		return usageErrorf(cmd, "-every %q is not a duration", *everyFlag).hint("write it like 24h, 90m or 2d")
	}
	grace, err := parseDuration(*graceFlag)
	if err != nil || grace < 0 {
		return usageErrorf(cmd, "-grace %q is not a duration", *graceFlag).hint("write it like 2h, 30m or 0")
	}
	c, err := hf.client()
	if err != nil {
		return err
	}
	text, err := readText(e, cmd, flags, *message)
	if err != nil {
		return err
	}
	if strings.TrimSpace(text) == "" {
		return usageErrorf(cmd, "no instructions").hint(
			"say what the responders should do if you do not check in, with -m \"TEXT\" or on standard input")
	}
	b := plainBundle{env: bundle.NewEnvelope(bundle.KindCheckin, *lang, e.now()), rep: textReport(text)}
	if _, err := bundle.Size(b.env, b.rep, nil); err != nil {
		return explainBundleError(err)
	}
	code, duress, err := checkinCodes()
	if err != nil {
		return err
	}
	v, err := verifyHub(ctx, e, c, hf.pin)
	if err != nil {
		return err
	}
	if err := confirmFirstContact(e, c, v, true); err != nil {
		return err
	}
	armed, _, err := sendBundle(ctx, e, c, hf.pin, v, nil, b,
		func(body io.Reader, epoch uint64) (*wire.CheckinArmed, error) {
			return c.ArmCheckin(ctx, client.Checkin{
				Every: every, Grace: grace, Epoch: epoch,
				Code:   client.CheckinVerifier(code.String()),
				Duress: client.CheckinVerifier(duress.String()),
			}, body)
		})
	if err != nil {
		var we *wire.Error
		if errors.As(err, &we) && we.Code == wire.CodeBadRequest {
			return withHints(fmt.Errorf("the hub refused the check-in: %w", err), "choose -every and -grace within the hub's limits")
		}
		return explainSubmitError(ctx, c, "check-in instructions", err)
	}
	e.printf("check-in set up at hub %q: every %s, with %s of grace", c.HubID(), humanDuration(every), humanDuration(grace))
	e.printf("your two codes, shown only this once. Write them down and keep them safe, apart from this computer:")
	fmt.Fprint(e.stderr, e.translate(fmt.Sprintf("\n    check-in code:  %s\n    duress code:    %s\n\n", code.String(), duress.String())))
	e.printf("check in with the check-in code before each deadline:")
	e.printf("    difesa checkin -hub %s", c.HubURL())
	e.printf("if someone forces you to check in, give the duress code instead: to anyone watching it")
	e.printf("looks exactly like a normal check-in, but it alerts the hub's responders at once.")
	e.printf("if you miss a deadline (plus grace), the responders are alerted and read your instructions.")
	e.printf("to end it: difesa checkin stop -hub %s (with the check-in code)", c.HubURL())
	return writeAll(e.stdout, fmt.Sprintf("first check-in due by %s\n", showDeadline(armed.Deadline, e.now())))
}

// checkinCodes makes the two codes of a check-in, different from each
// other, each a codename of about 90 bits.
func checkinCodes() (code, duress codename.Codename, err error) {
	if code, err = codename.Generate(); err != nil {
		return
	}
	for {
		if duress, err = codename.Generate(); err != nil || duress.String() != code.String() {
			return
		}
	}
}

// runCheckinCode checks in, or stops ("checkin stop"), with a code. The
// duress code gives exactly the same output.
func runCheckinCode(ctx context.Context, e *env, cmd string, args []string) error {
	flags := newFlagSet("checkin")
	var hf hubFlags
	hf.register(flags, "checkin")
	var src secretSource
	src.register(flags, "code", "code-fd")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("checkin", "unexpected argument %q", pos[0]).hint(
			"the code is asked for, not given as an argument: it would stay in your shell's history",
			"to set up a check-in use \"difesa checkin start\"")
	}
	c, err := hf.client()
	if err != nil {
		return err
	}
	typed, err := src.read(e, "check-in code", true)
	if err != nil {
		return err
	}
	code, err := src.parse(typed)
	if err != nil {
		return err
	}
	if cmd == "checkin stop" {
		if err := c.StopCheckin(ctx, code.String()); err != nil {
			return explainCheckinError(fmt.Errorf("stopping the check-in: %w", err))
		}
		e.printf("check-in stopped at hub %q", c.HubID())
		return nil
	}
	done, err := c.CheckIn(ctx, code.String())
	if err != nil {
		return explainCheckinError(fmt.Errorf("checking in: %w", err))
	}
	e.printf("checked in at hub %q", c.HubID())
	return writeAll(e.stdout, fmt.Sprintf("next check-in due by %s\n", showDeadline(done.NextDeadline, e.now())))
}

func explainCheckinError(err error) error {
	if wait, ok := client.RetryAfter(err); ok && errors.Is(err, &wire.Error{Code: wire.CodeTooManyRequests}) {
		return withHints(errors.New("the hub is limiting check-in attempts right now"),
			fmt.Sprintf("wait %d s and try again", max(1, int(wait.Seconds()))))
	}
	if errors.Is(err, &wire.Error{Code: wire.CodeNoCheckin}) {
		return withHints(errors.New("no check-in for this code at this hub"),
			"check the code against what you wrote down, and that -hub is the hub where you set it up",
			"a stopped check-in has no code any more")
	}
	return err
}

// parseDuration reads durations as people write them: Go's (24h, 90m,
// 1h30m) and whole days (2d).
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 365 {
			return 0, fmt.Errorf("bad number of days %q", d)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// humanDuration shows a duration without zero units: 24h, 1h30m, 90s.
func humanDuration(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// showDeadline shows a deadline from the hub in local time, to the
// minute, with how long remains.
func showDeadline(s string, now time.Time) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return clean(s)
	}
	left := t.Sub(now).Round(time.Minute)
	return fmt.Sprintf("%s (in %s)", t.Local().Format("2006-01-02 15:04 MST"), humanDuration(max(left, 0)))
}
