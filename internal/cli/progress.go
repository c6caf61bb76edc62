package cli

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress shows how much of an upload has been read, on one line of
// standard error rewritten in place.
type progress struct {
	w     io.Writer
	r     io.Reader
	total int64 // an estimate

	mu   sync.Mutex
	n    int64
	last time.Time
}

func newProgress(w io.Writer, r io.Reader, total int64) *progress {
	return &progress{w: w, r: r, total: total}
}

func (p *progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.mu.Lock()
	p.n += int64(n)
	if now := time.Now(); now.Sub(p.last) >= 250*time.Millisecond {
		p.last = now
		p.draw()
	}
	p.mu.Unlock()
	return n, err
}

func (p *progress) draw() {
	pct := int64(99)
	if p.total > 0 {
		pct = min(99, p.n*100/p.total)
	}
	fmt.Fprintf(p.w, "\rdifesa: sending %s of about %s (%d%%)  ", humanSize(p.n), humanSize(p.total), pct)
}

// finish ends the progress line.
func (p *progress) finish(ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ok {
		fmt.Fprintf(p.w, "\rdifesa: sent %s (100%%)                    \n", humanSize(p.n))
	} else {
		fmt.Fprintln(p.w)
	}
}
