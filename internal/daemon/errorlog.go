package daemon

import (
	"context"
	"log"
	"log/slog"
	"regexp"
)

// discardAddrs is the handler behind http.Server.ErrorLog. net/http writes
// lines like "http: TLS handshake error from 203.0.113.7:5555: …"; the
// address is replaced before the line reaches the log.
type discardAddrs struct{ slog.Handler }

var addrPattern = regexp.MustCompile(`(?:\[[0-9a-fA-F:.%]+\]|[0-9]{1,3}(?:\.[0-9]{1,3}){3})(?::[0-9]+)?|(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}`)

func (d discardAddrs) Handle(ctx context.Context, r slog.Record) error {
	clean := slog.NewRecord(r.Time, r.Level, addrPattern.ReplaceAllString(r.Message, "[address]"), r.PC)
	return d.Handler.Handle(ctx, clean)
}

// newAddrFreeLogger returns the *log.Logger given to http.Server.ErrorLog.
func newAddrFreeLogger(h slog.Handler) *log.Logger {
	return slog.NewLogLogger(discardAddrs{h}, slog.LevelWarn)
}
