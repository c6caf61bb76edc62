package api

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"difesa.org/difesa/internal/wire"
)

// The pace of uploads. A large file over Tor may take hours, and must be
// allowed to; a client that keeps a connection and an upload slot by
// sending a byte now and then (slowloris) must not. So an upload is cut
// when it sends nothing for the idle timeout (60 s), or when, after that
// first minute, it has sent less than minUploadRate bytes a second on
// average since it began. A client that sends N bytes at once and then
// trickles b bytes a second is therefore cut after
// (60 s + N / minUploadRate) / (1 − b / minUploadRate): about a minute
// for a header and a few bytes a second, two for half the rate. Holding
// an upload slot thus costs at least minUploadRate of real bandwidth.
//
// http.Server's ReadTimeout and WriteTimeout run from the request's start;
// the upload moves both deadlines along as data flows, so that a slow but
// steady upload is neither cut nor loses its 201 after committing.

const (
	// uploadIdleTimeout is how long an upload may send nothing before it
	// is cut (Options.UploadIdleTimeout replaces it in tests).
	uploadIdleTimeout = 60 * time.Second
	// minUploadRate is the least average an upload must keep after its
	// first idle timeout, in bytes a second: 8 kbit/s, below any network
	// Tor is usable on.
	minUploadRate = 1 << 10
)

var errTooSlow = apiError(http.StatusBadRequest, wire.CodeBadRequest,
	"the upload was too slow (under %d bytes a second on average); try again on a better connection", minUploadRate)

// idleReader enforces the pace on a request body.
type idleReader struct {
	r     io.Reader
	rc    *http.ResponseController
	idle  time.Duration
	start time.Time
	n     int64
}

func newIdleReader(r io.Reader, w http.ResponseWriter, idle time.Duration) *idleReader {
	return &idleReader{r: r, rc: http.NewResponseController(w), idle: idle, start: time.Now()}
}

func (ir *idleReader) Read(p []byte) (int, error) {
	now := time.Now()
	idle := now.Add(ir.idle)
	paced := ir.start.Add(ir.idle + time.Duration(float64(ir.n)/minUploadRate*float64(time.Second)))
	if !paced.After(now) {
		return 0, errTooSlow
	}
	deadline := idle
	if paced.Before(idle) {
		deadline = paced
	}
	ir.rc.SetReadDeadline(deadline)
	ir.rc.SetWriteDeadline(idle)
	n, err := ir.r.Read(p)
	ir.n += int64(n)
	if err != nil && paced.Before(idle) && errors.Is(err, os.ErrDeadlineExceeded) {
		return n, errTooSlow
	}
	return n, err
}
