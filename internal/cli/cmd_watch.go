package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"time"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

const watchUsage = `Usage:
    difesa watch -hub URL -i IDENTITY [-exec COMMAND] [-proxy URL]

Follows the hub's live event stream and prints a line for each event as it
arrives, until Ctrl-C:

    2026-11-23 14:05 alert.received at hub demo (urgent)

The time is when this computer received the event, in its local time. A
line says what the hub's notifications say (which kind of event, how many)
and never any content: read it with "difesa inbox" and "difesa open".

When it connects, watch first prints every alarm still open (a missed
check-in, a duress check-in, an urgent alert nobody acknowledged yet),
however long ago it opened, each on a line of its own:

    OPEN ALARM since 2026-11-23 10:00 UTC: DURESS at hub demo (missed at
    about 10:00 UTC, then DURESS signal at about 11:00 UTC) alarm ID

(on one line), then live events. "difesa ack" acknowledges an alarm.

The stream goes from the hub to you and involves no third party (no
webhook host, no ntfy server, no mail provider). If the connection drops,
watch connects again, waiting longer after each failure (up to a minute),
and logs in again when the login expires. Other events that happen while
it is not connected are not shown later: "difesa inbox" lists everything.

Options:
    -hub URL        The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -i IDENTITY     Your responder key file, made with "difesa keygen".
    -exec COMMAND   Run COMMAND for each event, with "sh -c", one event at a
                    time. The event is given in the environment, never in
                    the command line:
                        DIFESA_EVENT   the kind, like alert.received
                        DIFESA_HUB     the hub's id
                        DIFESA_COUNT   how many events it stands for
                        DIFESA_URGENT  1 for an urgent event, else 0
                        DIFESA_ID      the event's id
                    For example:
                        -exec 'notify-send "difesa: $DIFESA_EVENT"'
    -proxy URL      Connect through a proxy, like socks5h://127.0.0.1:9050
                    for Tor (the default is $ALL_PROXY, if set).

Event kinds: report.received, followup.received, alert.received (urgent),
checkin.missed, checkin.duress, checkin.resumed, alarm.escalated (urgent);
alarm.open for a replayed alarm (-exec gets DIFESA_EVENT=alarm.open and the
alarm's id as DIFESA_ID).`

// execQueue is how many events may wait for -exec before some are skipped.
const execQueue = 64

func runWatch(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("watch")
	var rf responderFlags
	rf.register(flags, "watch")
	command := flags.String("exec", "", "command to run for each event")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("watch", "unexpected argument %q", pos[0]).hint(
			"to run a command for each event use -exec 'COMMAND', in quotes")
	}
	if isSet(flags, "exec") && *command == "" {
		return usageErrorf("watch", "-exec is empty")
	}
	c, ids, logout, err := rf.login(ctx)
	if err != nil {
		return err
	}
	defer logout()

	// -exec commands write to the same outputs as the watcher.
	out := &lockedWriter{w: e.stdout}
	errOut := &lockedWriter{w: e.stderr}
	say := func(format string, a ...any) { fmt.Fprintf(errOut, "difesa: "+format+"\n", a...) }

	var runner *execRunner
	if *command != "" {
		runner = startExecRunner(ctx, *command, c.HubID(), out, errOut, say)
		defer runner.stop()
	}

	connected := false
	w := &client.Watcher{
		Client: c,
		Login:  func(ctx context.Context) error { return relogin(ctx, c, ids) },
		Event: func(n client.Notification) {
			if n.Type == wire.EventAlarmOpen && n.Alarm != nil {
				fmt.Fprintln(out, alarmLine(*n.Alarm, c.HubID()))
			} else {
				fmt.Fprintln(out, eventLine(e.now(), n, c.HubID()))
			}
			if runner != nil {
				runner.add(n)
			}
		},
		Status: func(err error, retry time.Duration) {
			switch {
			case err == nil && !connected:
				say("watching hub %q; press Ctrl-C to stop", c.HubID())
			case err == nil:
				say("connected again")
			default:
				say("%s; trying again in %s", clean(watchProblem(err)), retry.Round(time.Second))
			}
			connected = connected || err == nil
		},
	}
	if err := w.Run(ctx); err != nil {
		return notFoundHint(fmt.Errorf("watching the hub: %w", err), noHubHint)
	}
	say("stopped")
	return nil
}

// relogin logs c in again with the first identity the hub accepts.
func relogin(ctx context.Context, c *client.Client, ids []age.Identity) error {
	var err error
	for _, id := range ids {
		if _, rerr := client.RecipientOf(id); rerr != nil {
			continue
		}
		err = c.Login(ctx, id)
		if err == nil || !errors.Is(err, &wire.Error{Code: wire.CodeBadChallenge}) {
			return err
		}
	}
	if err == nil {
		err = errors.New("no key of the identity file can log in")
	}
	return err
}

// watchProblem says in a few words why the stream stopped.
func watchProblem(err error) string {
	switch {
	case errors.Is(err, io.EOF):
		return "the hub closed the connection"
	case errors.Is(err, client.ErrStreamIdle):
		return "the hub went silent"
	}
	return "lost the hub: " + err.Error()
}

// eventLine is the line printed for an event. Everything in it comes
// from the hub and is cleaned before it reaches the terminal.
func eventLine(now time.Time, n client.Notification, hub string) string {
	s := fmt.Sprintf("%s %s at hub %s", now.Local().Format("2006-01-02 15:04"), envWord(n.Type, "unknown"), envWord(n.Hub, hub))
	switch {
	case n.Count > 1 && n.Urgent:
		s += fmt.Sprintf(" (%d, urgent)", n.Count)
	case n.Count > 1:
		s += fmt.Sprintf(" (%d)", n.Count)
	case n.Urgent:
		s += " (urgent)"
	}
	return s
}

// alarmLine is the line printed for an open alarm the hub replays when
// the stream connects. Its hours are the hub's (coarse, UTC).
func alarmLine(a wire.Alarm, hub string) string {
	return fmt.Sprintf("OPEN ALARM since %s: %s at hub %s (%s) alarm %s",
		coarseTime(a.Opened), alarmKind(a.Kind), envWord(hub, "unknown"), alarmHistory(a), clean(a.ID))
}

// safeWord is what an event's type, hub or id may look like when it is
// printed or handed to -exec; anything else from the hub is replaced.
var safeWord = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$`)

func envWord(s, fallback string) string {
	if safeWord.MatchString(s) {
		return s
	}
	return fallback
}

// eventEnv is the environment -exec's command gets for n, on top of
// difesa's own.
func eventEnv(n client.Notification, hub string) []string {
	urgent := "0"
	if n.Urgent {
		urgent = "1"
	}
	return []string{
		"DIFESA_EVENT=" + envWord(n.Type, "unknown"),
		"DIFESA_HUB=" + envWord(n.Hub, hub),
		"DIFESA_COUNT=" + strconv.Itoa(max(n.Count, 1)),
		"DIFESA_URGENT=" + urgent,
		"DIFESA_ID=" + envWord(n.ID, ""),
	}
}

// execRunner runs -exec's command for each event, one at a time, so that
// a slow command never holds up the stream.
type execRunner struct {
	queue chan client.Notification
	done  chan struct{}
	say   func(string, ...any)
}

func startExecRunner(ctx context.Context, command, hub string, stdout, stderr io.Writer, say func(string, ...any)) *execRunner {
	r := &execRunner{queue: make(chan client.Notification, execQueue), done: make(chan struct{}), say: say}
	go func() {
		defer close(r.done)
		for n := range r.queue {
			if ctx.Err() != nil {
				continue
			}
			cmd := shellCommand(ctx, command)
			cmd.Env = append(os.Environ(), eventEnv(n, hub)...)
			cmd.Stdout, cmd.Stderr = stdout, stderr
			cmd.WaitDelay = 5 * time.Second
			if err := cmd.Run(); err != nil && ctx.Err() == nil {
				say("-exec: %v", err)
			}
		}
	}()
	return r
}

// add queues n, or skips it if the command is too far behind.
func (r *execRunner) add(n client.Notification) {
	select {
	case r.queue <- n:
	default:
		r.say("-exec is %d events behind; not running it for this one", execQueue)
	}
}

// stop waits for the command under way (killed if ctx is done).
func (r *execRunner) stop() {
	close(r.queue)
	<-r.done
}

// shellCommand runs command with the system's shell. The command is the
// user's own; event data only ever reaches it through the environment.
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	if runtime.GOOS == "windows" {
		return exec.CommandContext(ctx, "cmd.exe", "/C", command)
	}
	return exec.CommandContext(ctx, "/bin/sh", "-c", command)
}

// lockedWriter serialises writes from the watcher and from -exec.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
