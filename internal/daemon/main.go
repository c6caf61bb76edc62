package daemon

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"difesa.org/difesa/internal/config"
)

const usage = `difesad runs a difesa server.

Usage:
    difesad [-config FILE] [-listen ADDR] [-data DIR]   run the server
    difesad check-config [-config FILE]                 check a configuration
    difesad verify [-config FILE | -data DIR | -file DB] check a database or a backup
    difesad backup [-config FILE | -data DIR] -o FILE|-  copy the database (server stopped)
    difesad backup -admin ADDR -o FILE|-                copy it from a running server
    difesad restore -i FILE [-config FILE | -data DIR]   restore a backup into an empty data folder
    difesad compact [-config FILE | -data DIR]           rewrite the database without free pages
    difesad outbox [-config FILE | -data DIR]            show the notification outbox
    difesad notify test -hub ID [-config FILE]           send a test notification on every channel

With no configuration, difesad runs an embedded demo: one hub called "demo",
listening on 127.0.0.1:8080, with its data (and the demo's keys) in
./difesa-data.

Options:
    -config FILE   TOML configuration (see config/difesad.example.toml).
                   Environment: DIFESA_CONFIG.
    -listen ADDR   Address to listen on: HOST:PORT, or unix:PATH for a unix
                   socket (what a Tor onion service should point at).
                   Environment: DIFESA_LISTEN.
    -data DIR      Data folder (mode 0700). Environment: DIFESA_DATA.
    -admin ADDR    The running server's admin_listen (127.0.0.1:PORT or
                   unix:PATH), for a hot backup.
`

// env is what a subcommand may touch of the outside world.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	opts           StartOptions // what runServe starts the server with
}

func (e env) errorf(format string, args ...any) int {
	fmt.Fprintf(e.stderr, "difesad: error: "+format+"\n", args...)
	return 1
}

func (e env) hintf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "difesad: hint: "+format+"\n", args...)
}

// Main runs difesad with the given arguments and returns its exit code.
func Main(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return MainWith(args, stdout, stderr, getenv, StartOptions{})
}

// MainWith is [Main] with the options the server starts with, for tests
// that run difesad as a child process on an injected clock.
func MainWith(args []string, stdout, stderr io.Writer, getenv func(string) string, opts StartOptions) int {
	e := env{stdout, stderr, getenv, opts}
	if len(args) > 0 {
		if cmd, ok := subcommands[args[0]]; ok {
			return cmd(e, args[1:])
		}
	}
	return runServe(e, args)
}

var subcommands map[string]func(env, []string) int

func init() {
	subcommands = map[string]func(env, []string) int{
		"serve":        runServe,
		"check-config": runCheckConfig,
		"verify":       runVerify,
		"backup":       runBackup,
		"restore":      runRestore,
		"compact":      runCompact,
		"outbox":       runOutbox,
		"notify":       runNotify,
		"help":         func(e env, _ []string) int { fmt.Fprint(e.stdout, usage); return 0 },
	}
}

// configFlags are the flags that locate the configuration.
type configFlags struct {
	configPath, listen, data *string
}

func newFlagSet(e env, name string) (*flag.FlagSet, configFlags) {
	fs := flag.NewFlagSet("difesad "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, usage) }
	return fs, configFlags{
		configPath: fs.String("config", e.getenv("DIFESA_CONFIG"), ""),
		listen:     fs.String("listen", "", ""),
		data:       fs.String("data", "", ""),
	}
}

// parse parses args; it returns -1 to go on, or an exit code.
func parse(e env, fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "difesad: error: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	return -1
}

// load reads and checks the configuration the flags point at.
func (cf configFlags) load(e env) (*config.Config, error) {
	cfg := config.Default()
	if *cf.configPath != "" {
		var err error
		if cfg, err = config.Load(*cf.configPath); err != nil {
			return nil, err
		}
	}
	cfg.ApplyEnv(e.getenv)
	if *cf.listen != "" {
		cfg.Listen = *cf.listen
	}
	if *cf.data != "" {
		cfg.DataDir = *cf.data
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("the configuration has problems:\n%w", err)
	}
	return cfg, nil
}

func runServe(e env, args []string) int {
	fs, cf := newFlagSet(e, "")
	if code := parse(e, fs, args); code >= 0 {
		return code
	}
	cfg, err := cf.load(e)
	if err != nil {
		return e.errorf("%v", err)
	}
	logger := NewLogger(e.stderr, cfg.LogFormat, cfg.LogLevel)
	inst, err := StartWith(cfg, logger, e.opts)
	if err != nil {
		var perm *PermissionError
		if errors.As(err, &perm) {
			e.errorf("%v", err)
			e.hintf("%s", perm.Fix)
			return 1
		}
		return e.errorf("%v", err)
	}
	inst.PrintWelcome(e.stdout)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
	case err := <-inst.Done():
		logger.Error("server stopped", "err", err)
		inst.Close()
		return 1
	}
	stop() // a second signal now kills the process at once
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := inst.Shutdown(sctx); err != nil {
		logger.Error("shutdown", "err", err)
		return 1
	}
	return 0
}

// NewLogger returns the structured logger difesad uses. It never receives
// request data: see package api. Each line's time is the hour, in UTC: a
// line is written when something happens, often something a defender did
// (an upload that failed, a check-in timer that fired), so its precise
// time would be a precise time of a defender, and the server's time zone
// says where it runs.
func NewLogger(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv, ReplaceAttr: logHour}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// logHour rounds the time of a log line down to the hour, in UTC, written
// in RFC 3339 without fractions (the text handler would add milliseconds
// of zeros). Any other time or duration a line carries, in any group, is
// rounded down to the hour too: no line says anything finer.
func logHour(groups []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindTime:
		a.Value = slog.StringValue(a.Value.Time().UTC().Truncate(time.Hour).Format(time.RFC3339))
	case slog.KindDuration:
		a.Value = slog.StringValue(a.Value.Duration().Truncate(time.Hour).String())
	}
	return a
}
