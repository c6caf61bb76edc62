package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"difesa.org/difesa/internal/metrics"
	"difesa.org/difesa/internal/store"
)

// The admin listener serves what only the operator may have: GET /metrics
// and GET /backup (the whole database). It listens on loopback or a unix
// socket only (config.CheckAdminAddress), and never shares the public
// listener, which Tor exposes to the world.

// newMetrics returns the collector of inst's metrics.
func newMetrics(inst *Instance) *metrics.Collector {
	return metrics.New(metrics.Options{Store: inst.Store, Hubs: func() []string {
		var ids []string
		for _, h := range inst.Hubs.All() {
			ids = append(ids, h.ID)
		}
		return ids
	}})
}

// adminHandler routes the admin endpoints.
func adminHandler(st *store.Store, col *metrics.Collector) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", col.Handler())
	mux.Handle("GET /backup", backupHandler(st))
	return mux
}

// backupHandler streams a consistent copy of the database, taken in one
// read transaction while the server keeps running. A failure halfway
// aborts the connection, so the client never mistakes a truncated copy
// for a whole one.
func backupHandler(st *store.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="difesa-backup.db"`)
		w.Header().Set("Cache-Control", "no-store")
		if _, err := st.Backup(&deadlineWriter{w: w, rc: http.NewResponseController(w)}); err != nil {
			panic(http.ErrAbortHandler)
		}
	})
}

// deadlineWriter pushes the connection's write deadline back while data
// flows, so a large backup is bounded by stalls, not by its size.
type deadlineWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

const adminWriteIdle = 60 * time.Second

func (d *deadlineWriter) Write(p []byte) (int, error) {
	d.rc.SetWriteDeadline(time.Now().Add(adminWriteIdle))
	return d.w.Write(p)
}

// startAdmin serves the admin endpoints on addr ("" serves nothing) to
// requests addressed to this machine or to one of hosts (admin_hosts), and
// makes inst's shutdown stop them first.
func (inst *Instance) startAdmin(addr string, hosts []string, col *metrics.Collector) error {
	if addr == "" {
		return nil
	}
	ln, err := listen(addr)
	if err != nil {
		return fmt.Errorf("unable to listen on admin_listen %s: %w", addr, err)
	}
	path, unix := strings.CutPrefix(addr, "unix:")
	if unix {
		// The operator's only: a backup is the whole database.
		if err := os.Chmod(path, 0o600); err != nil {
			ln.Close()
			return err
		}
		inst.AdminAddr = addr
	} else {
		inst.AdminAddr = ln.Addr().String()
	}
	srv := &http.Server{
		Handler:           checkAdminHost(unix, hosts, adminHandler(inst.Store, col)),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      adminWriteIdle, // extended while a backup flows
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    8 << 10,
		ErrorLog:          newAddrFreeLogger(inst.log.Handler()),
	}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			inst.log.Error("admin listener stopped", "err", err)
		}
	}()
	stop := inst.stopBackground
	inst.stopBackground = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close() // a backup still running is cut
		}
		stop()
	}
	inst.log.Info("admin endpoints started", "admin_listen", inst.AdminAddr)
	return nil
}

// uploadSuffixes end the paths of requests that carry ciphertext in.
var uploadSuffixes = []string{"/submissions", "/messages", "/replies", "/ciphertext", "/checkins"}

// countUploads counts the POST and PUT requests that upload ciphertext
// while they run. It looks at nothing but the method and the path's end.
func countUploads(col *metrics.Collector, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost || r.Method == http.MethodPut {
			for _, s := range uploadSuffixes {
				if strings.HasSuffix(r.URL.Path, s) {
					defer col.UploadStarted()()
					break
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}
