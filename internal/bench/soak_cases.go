package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/wire"
)

// The soak's case records (issue 15): soakCaseResponders responders read
// and write the case records of soakCases submissions at difesad, each
// pausing about soakCaseThink between a read and the write that follows
// it, and as many do the same at the bare baseline's compare-and-swap
// endpoint in the same run, so that both are timed under the same load of
// the machine. A record holds soakCaseNotes notes (some 7 KiB sealed).
const (
	soakCases           = 16
	soakCaseResponders  = 2
	soakCaseThink       = 100 * time.Millisecond
	soakCaseNotes       = 16
	soakCasePool        = 8
	soakCaseVerifyEvery = 8 // one read in 8 at difesad is decrypted and opened
	baselineSuffix      = " (baseline)"
)

// CaseLoadResult is what the soak's case records did beyond the latencies
// of "case read" and "case write" (and their baseline) in the soak's ops.
type CaseLoadResult struct {
	Records     int   `json:"records"`
	RecordBytes int   `json:"record_age_file_bytes"`
	Verified    int64 `json:"reads_decrypted"`
	// Stale counts writes refused with 409 stale_version because the
	// other responder wrote the same record between a read and a write;
	// they are timed with the writes, as the server did the same work.
	Stale         int64 `json:"stale_writes"`
	StaleBaseline int64 `json:"stale_writes_baseline"`
}

// caseLoad is the shared state of the soak's case responders.
type caseLoad struct {
	ids   []string
	pool  [][]byte
	known map[[32]byte]bool // SHA-256 of each ciphertext of the pool
	id    age.Identity
	res   CaseLoadResult
	stale [2]atomic.Int64 // difesad, baseline
	opens atomic.Int64
}

// newCaseLoad seals soakCasePool case records of soakCaseNotes notes to
// recips: what the responders write, in turn.
func newCaseLoad(id age.Identity, recips []age.Recipient) (*caseLoad, error) {
	cl := &caseLoad{known: map[[32]byte]bool{}, id: id}
	text := strings.Repeat("a responder's note on the case, as long as most are. ", 6)
	for i := range soakCasePool {
		r := caserecord.New()
		for n := range soakCaseNotes {
			if _, err := r.AddNote("Bench", "2026-11-23T12:00:00Z", fmt.Sprintf("%d.%d %s", i, n, text), ""); err != nil {
				return nil, err
			}
		}
		if err := r.Set(caserecord.FieldAssignee, "Bench", "Bench", "2026-11-23T12:00:00Z"); err != nil {
			return nil, err
		}
		ct, err := caserecord.Seal(r, recips)
		if err != nil {
			return nil, err
		}
		cl.pool = append(cl.pool, ct)
		cl.known[sha256.Sum256(ct)] = true
	}
	cl.res.RecordBytes = len(cl.pool[0])
	return cl, nil
}

// create makes the submissions whose records the responders share (they
// are not among those the soak's other responders read and delete) and
// writes each record once, at difesad and at the baseline.
func (cl *caseLoad) create(ctx context.Context, reporter *HubClient, body []byte, stores ...caseStore) error {
	for range soakCases {
		created, err := reporter.Submit(ctx, bytes.NewReader(body), int64(len(body)))
		if err != nil {
			return fmt.Errorf("a case's submission: %w", err)
		}
		for _, st := range stores {
			if _, err := st.PutCase(ctx, created.ID, cl.pool[0], 0); err != nil {
				return fmt.Errorf("a case record: %w", err)
			}
		}
		cl.ids = append(cl.ids, created.ID)
	}
	cl.res.Records = len(cl.ids)
	return nil
}

// caseResponder reads a record, checks it is one the soak wrote, and
// writes the next one on the version it read, until the soak ends. login,
// if not nil, logs in again now and then, as the soak's responders do.
func (s *soak) caseResponder(ctx context.Context, cl *caseLoad, st caseStore, suffix string, w int, login func() error) {
	which := 0
	if suffix != "" {
		which = 1
	}
	var loggedIn time.Time
	for i := w; s.pause(jitter(soakCaseThink)); i++ {
		if login != nil && time.Since(loggedIn) > soakRelogin {
			if err, _ := s.rec.time("login", login); err != nil {
				continue
			}
			loggedIn = time.Now()
		}
		id := cl.ids[rand.N(len(cl.ids))]
		var ct []byte
		var version uint64
		if err, _ := s.rec.time("case read"+suffix, func() error {
			rctx, cancel := reqCtx(ctx)
			defer cancel()
			var err error
			ct, version, err = st.GetCase(rctx, id)
			return err
		}); err != nil {
			continue
		}
		if err := cl.check(ct, which == 0 && i%soakCaseVerifyEvery == 0); err != nil {
			s.rec.time("case read"+suffix, func() error { return err })
			continue
		}
		stale := false
		s.rec.time("case write"+suffix, func() error {
			rctx, cancel := reqCtx(ctx)
			defer cancel()
			_, err := st.PutCase(rctx, id, cl.pool[i%len(cl.pool)], version)
			var se *StatusError
			if errors.As(err, &se) && se.Code == wire.CodeStaleVersion {
				stale = true
				return nil
			}
			return err
		})
		if stale {
			cl.stale[which].Add(1)
		}
	}
}

// check makes sure a record read is one the soak wrote, and with open
// that it decrypts to a case record.
func (cl *caseLoad) check(ct []byte, open bool) error {
	if !cl.known[sha256.Sum256(ct)] {
		return fmt.Errorf("%w: a case record that is none of those written", errVerify)
	}
	if !open {
		return nil
	}
	if _, err := caserecord.Open(ct, cl.id); err != nil {
		return fmt.Errorf("%w: %v", errVerify, err)
	}
	cl.opens.Add(1)
	return nil
}

// result fills in the figures once the responders have stopped.
func (cl *caseLoad) result() *CaseLoadResult {
	r := cl.res
	r.Verified, r.Stale, r.StaleBaseline = cl.opens.Load(), cl.stale[0].Load(), cl.stale[1].Load()
	return &r
}

// printCases writes the case records' figures: difesad beside the
// baseline, from the soak's ops.
func (s *SoakResult) printCases(w io.Writer) {
	c := s.Cases
	if c == nil {
		return
	}
	op := func(kind string) SoakOp {
		for _, o := range s.Ops {
			if o.Kind == kind {
				return o
			}
		}
		return SoakOp{Kind: kind}
	}
	fmt.Fprintf(w, "  case records: %d, %.1f KiB sealed each; %d reads decrypted; stale writes (409) %d, baseline %d\n",
		c.Records, float64(c.RecordBytes)/1024, c.Verified, c.Stale, c.StaleBaseline)
	for _, kind := range []string{"case read", "case write"} {
		d, b := op(kind), op(kind+baselineSuffix)
		fmt.Fprintf(w, "  %s p50 / p99: difesa %.2f / %.2f ms, baseline %.2f / %.2f ms\n", kind, d.P50ms, d.P99ms, b.P50ms, b.P99ms)
	}
}
