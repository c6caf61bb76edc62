package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
)

// baselineBodyLimit bounds a baseline request body; the baseline is only
// ever sent small files.
const baselineBodyLimit = 64 << 20

var baselineBucket = []byte("submissions")

// baselineHandler is the least a durable ingest endpoint can do: read the
// body and store it under a random key in one fsync'd bbolt transaction
// (db.Batch, as difesa's store does), then answer 201. Under /case/ it
// serves records by compare-and-swap instead ([baselineCaseHandler]).
func baselineHandler(db *bolt.DB) http.Handler {
	cases := baselineCaseHandler(db)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/case/") {
			cases.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, baselineBodyLimit))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		key := make([]byte, 16)
		rand.Read(key)
		err = db.Batch(func(tx *bolt.Tx) error {
			return tx.Bucket(baselineBucket).Put(key, body)
		})
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "{\"id\":%q}\n", hex.EncodeToString(key))
	})
}

// openBaselineDB opens (creating) the baseline's bbolt file in dir.
func openBaselineDB(dir string) (*bolt.DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	db, err := bolt.Open(filepath.Join(dir, "baseline.db"), 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(baselineBucket); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(baselineCaseBucket)
		return err
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// serveBaseline is the -serve-baseline mode: it serves [baselineHandler]
// with the same server timeouts as difesad until SIGTERM, printing
// "baseline: http://ADDR" once listening.
func serveBaseline(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("difesa-bench -serve-baseline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on")
	data := fs.String("data", "", "data folder")
	if err := fs.Parse(args); err != nil || *data == "" {
		fmt.Fprintln(stderr, "difesa-bench: error: -serve-baseline needs -data DIR")
		return 2
	}
	db, err := openBaselineDB(*data)
	if err != nil {
		fmt.Fprintf(stderr, "difesa-bench: error: %v\n", err)
		return 1
	}
	defer db.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "difesa-bench: error: %v\n", err)
		return 1
	}
	srv := &http.Server{
		Handler:           baselineHandler(db),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "baseline: http://%s\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
	case err := <-done:
		fmt.Fprintf(stderr, "difesa-bench: error: %v\n", err)
		return 1
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "difesa-bench: error: %v\n", err)
		return 1
	}
	return 0
}
