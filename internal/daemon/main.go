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
    difesad [-config FILE] [-listen ADDR] [-data DIR]

With no configuration, difesad runs an embedded demo: one hub called "demo",
listening on 127.0.0.1:8080, with its data (and a demo responder key) in
./difesa-data.

Options:
    -config FILE   TOML configuration (see config/difesad.example.toml).
                   Environment: DIFESA_CONFIG.
    -listen ADDR   Address to listen on. Environment: DIFESA_LISTEN.
    -data DIR      Data folder. Environment: DIFESA_DATA.
`

// Main runs difesad with the given arguments and returns its exit code.
func Main(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("difesad", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	configPath := fs.String("config", getenv("DIFESA_CONFIG"), "")
	listen := fs.String("listen", "", "")
	data := fs.String("data", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "difesad: error: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}

	cfg := config.Default()
	if *configPath != "" {
		var err error
		if cfg, err = config.Load(*configPath); err != nil {
			fmt.Fprintf(stderr, "difesad: error: %v\n", err)
			return 1
		}
	}
	cfg.ApplyEnv(getenv)
	if *listen != "" {
		cfg.Listen = *listen
	}
	if *data != "" {
		cfg.DataDir = *data
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "difesad: error: the configuration has problems:\n%v\n", err)
		return 1
	}

	logger := NewLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	inst, err := Start(cfg, logger)
	if err != nil {
		fmt.Fprintf(stderr, "difesad: error: %v\n", err)
		return 1
	}
	inst.PrintWelcome(stdout)

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
// request data: see package api.
func NewLogger(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
