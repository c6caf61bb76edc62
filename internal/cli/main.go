// Package cli is the difesa command: defenders send encrypted reports to a
// hub with it, and responders read them. cmd/difesa only calls [Main].
//
// The rules of its interface follow age's: anything meant for programs goes
// to standard output (a submission id, a key, a list); everything else goes
// to standard error with a "difesa:" prefix, lowercase and without final
// periods. An error comes with hints that say what to do next. Unsafe
// actions (overwriting a file, printing binary to a terminal, deleting
// without confirmation) are refused.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"
)

const usage = `difesa sends encrypted reports to a hub, and lets its responders read them.

Usage:
  Defenders:
    difesa submit   -hub URL [-category C] [-m TEXT] [-attach FILE]... [OPTIONS]
    difesa alert    -hub URL [-m TEXT] [-where PLACE] [-needs HELP] [-attach FILE]...
    difesa check    -hub URL [-codename-fd N] [-save DIR]
    difesa followup -hub URL [-m TEXT] [-attach FILE]... [-codename-fd N]
    difesa forget   -hub URL [-y] [-codename-fd N]
    difesa checkin  start -hub URL -every DURATION [-grace DURATION] [-m TEXT]
    difesa checkin  [stop] -hub URL [-code-fd N]
    difesa bulletins -hub URL [-lang CODE] [-all]
    difesa forms    -hub URL [-lang CODE]
  Responders:
    difesa keygen [-classic] [-o FILE]
    difesa inbox  -hub URL -i IDENTITY
    difesa open   -hub URL -i IDENTITY [-save DIR | -raw FILE] ID
    difesa thread -hub URL -i IDENTITY [-save DIR] ID
    difesa reply  -hub URL -i IDENTITY [-m TEXT] [-attach FILE]... ID
    difesa ack    -hub URL -i IDENTITY [-note TEXT] ID
    difesa status -hub URL -i IDENTITY ID new|in_progress|closed
    difesa case   show|assign|label|note|link|followup -hub URL -i IDENTITY ID ...
    difesa delete -hub URL -i IDENTITY [-y] ID
    difesa desk   -hub URL -i IDENTITY [-hub URL -i IDENTITY]... [-no-open]
    difesa watch  -hub URL -i IDENTITY [-exec COMMAND]
    difesa rekey  -hub URL -i IDENTITY [-i IDENTITY]...
    difesa pins   list | forget -hub URL
    difesa admin  keygen | init | manifest | sign | publish | status | form
    difesa bulletin new [-hub URL] [OPTIONS] [-lang CODE OPTIONS]... [-o FILE]
    difesa bulletin publish -hub URL -key ADMINKEY FILE
    difesa help [COMMAND]

A hub is a place where a group of responders receives reports. Its address
looks like http://xyz…xyz.onion/hubs/NAME: ask the people who run it.

Reports are encrypted on your computer, to the hub's responders only, before
they are sent; the server stores them but cannot read them. The list of
responders is signed by the hub's admin key: difesa remembers that key the
first time (compare its fingerprint with the one the hub gives you, or pass
it with -pin) and refuses any list it did not sign.

When you send a report, difesa shows you a codename: with it you can read
the responders' replies (check), add to the report (followup) or delete it
all (forget). Nobody else can, and nobody can recover it for you.

A hub may also publish bulletins, alerts to its community signed by the
same admin key: "difesa bulletins" shows them, and refuses any the key did
not sign. Its administrators write them with "difesa bulletin".

Every command that talks to a hub takes -proxy URL to go through a proxy.
To use Tor (recommended, and required for .onion hubs) run Tor and add
    -proxy socks5h://127.0.0.1:9050
or set ALL_PROXY=socks5h://127.0.0.1:9050 in the environment.

Messages of the defender commands follow the locale (LC_ALL, LC_MESSAGES,
LANG) or "difesa -lang CODE COMMAND …": en, es, fr, it, pl, pt, ro, sl.

Run "difesa help COMMAND" for the options of a command.`

// command is one subcommand of difesa.
type command struct {
	name  string
	usage string
	run   func(ctx context.Context, e *env, args []string) error
}

func commands() []*command {
	return []*command{
		{"submit", submitUsage, runSubmit},
		{"alert", alertUsage, runAlert},
		{"check", checkUsage, runCheck},
		{"followup", followupUsage, runFollowup},
		{"forget", forgetUsage, runForget},
		{"checkin", checkinUsage, runCheckin},
		{"thread", threadUsage, runThread},
		{"case", caseUsage, runCase},
		{"reply", replyUsage, runReply},
		{"ack", ackUsage, runAck},
		{"keygen", keygenUsage, runKeygen},
		{"inbox", inboxUsage, runInbox},
		{"open", openUsage, runOpen},
		{"status", statusUsage, runStatus},
		{"delete", deleteUsage, runDelete},
		{"watch", watchUsage, runWatch},
		{"rekey", rekeyUsage, runRekey},
		{"pins", pinsUsage, runPins},
		{"admin", adminUsage, runAdmin},
		{"bulletin", bulletinUsage, runBulletin},
		{"bulletins", bulletinsUsage, runBulletins},
		{"forms", formsUsage, runForms},
		{"desk", deskUsage, runDesk},
	}
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// env is what a command may touch of the outside world.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time
	lang           string // of the messages on stderr (messages.go)
}

// Main runs difesa with args (without the program name) and returns the
// exit code: 0 on success, 1 on error, 2 on a usage error.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return mainAt(time.Now, args, stdin, stdout, stderr)
}

// mainAt is [Main] on the clock now (tests run the CLI at chosen instants).
func mainAt(now func() time.Time, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, now: now}

	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	flagLang, args, err := takeLang(args)
	if err == nil {
		e.lang, err = messageLang(flagLang, os.Getenv)
	}
	if err != nil {
		return e.fail(err)
	}
	args, err = hoistGlobalFlags(args)
	if err != nil {
		return e.fail(err)
	}
	if len(args) == 0 {
		return e.fail(usageErrorf("", "missing command"))
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 && name == "help" {
			c := lookup(rest[0])
			if c == nil {
				return e.fail(usageErrorf("", "unknown command %q", rest[0]))
			}
			fmt.Fprintln(stdout, c.usage)
			return 0
		}
		fmt.Fprintln(stdout, usage)
		return 0
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, version())
		return 0
	}
	c := lookup(name)
	if c == nil {
		return e.fail(usageErrorf("", "unknown command %q", name))
	}
	err = c.run(e.withPassphrases(e.withPoWProgress(ctx)), e, rest)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stdout, c.usage)
		return 0
	}
	if ctx.Err() != nil && err != nil {
		err = errors.New("interrupted")
	}
	return e.fail(err)
}

// hoistGlobalFlags moves a -proxy given before the command ("difesa -proxy
// URL inbox …") to the command's own flags.
func hoistGlobalFlags(args []string) ([]string, error) {
	var global []string
	for len(args) > 0 {
		a := args[0]
		switch {
		case a == "-proxy" || a == "--proxy":
			if len(args) < 2 {
				return nil, usageErrorf("", "flag needs an argument: %s", a)
			}
			global = append(global, "-proxy", args[1])
			args = args[2:]
		case strings.HasPrefix(a, "-proxy=") || strings.HasPrefix(a, "--proxy="):
			global = append(global, "-proxy", a[strings.Index(a, "=")+1:])
			args = args[1:]
		default:
			if len(global) == 0 || len(args) == 0 {
				return args, nil
			}
			return append(append([]string{args[0]}, global...), args[1:]...), nil
		}
	}
	return args, nil
}
