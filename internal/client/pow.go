package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"difesa.org/difesa/internal/pow"
	"difesa.org/difesa/internal/wire"
)

// Proof of work (docs/pow.md). While a hub is under load it refuses
// anonymous uploads that carry no solved challenge, with 429 and a fresh
// challenge, before reading their body. Uploads ask for 100-continue, so
// that the body is normally not sent at all when that happens: the client
// then solves the challenge and sends the same body once more, with the
// solution. If the transport had already begun sending the body (the hub
// answered after the transport's ExpectContinueTimeout, or a proxy got in
// the way) the body cannot be sent again from here: the upload fails with
// [ErrSendAgain] and the client keeps the solution for the next upload.

// ErrSendAgain is returned (wrapping the hub's refusal) by an upload that
// the hub refused for want of proof of work after part of its body had
// been sent. The client has solved the hub's challenge and presents the
// solution with its next upload: make the same body again (encrypt again)
// and send it, within two minutes.
var ErrSendAgain = errors.New("the hub asked for proof of work after the upload had begun; send it again")

// PoWError is a refusal for want of proof of work ([wire.CodePoWRequired]
// or [wire.CodePoWInvalid]) with the hub's fresh challenge. Uploads handle
// it themselves; it unwraps to the [*wire.Error].
type PoWError struct {
	Err *wire.Error
	PoW wire.PoW
}

func (e *PoWError) Error() string { return e.Err.Error() }

// Unwrap returns the API error.
func (e *PoWError) Unwrap() error { return e.Err }

// PoWProgress is what an upload reports while it works on a hub's
// challenge ([WithPoWProgress]).
type PoWProgress struct {
	// Bits is the difficulty: the work doubles with each bit.
	Bits int
	// Tries is how many nonces were tried so far, Elapsed for how long.
	Tries   uint64
	Elapsed time.Duration
	// Done is set on the last report, once solved.
	Done bool
}

type powProgressKey struct{}

// WithPoWProgress returns a context under which uploads report to f while
// they work on a hub's proof-of-work challenge: every 65,536 tries, and
// once more when solved. f must return quickly.
func WithPoWProgress(ctx context.Context, f func(PoWProgress)) context.Context {
	return context.WithValue(ctx, powProgressKey{}, f)
}

// solvePoW solves the challenge of a refusal and returns the Difesa-PoW
// header's value. ctx cancels it.
func (c *Client) solvePoW(ctx context.Context, p wire.PoW) (string, error) {
	ch, err := pow.ParseChallenge(p.Challenge)
	if err != nil {
		return "", fmt.Errorf("the hub sent a proof-of-work challenge that does not parse: %w", err)
	}
	if ch.Hub != c.hub {
		return "", fmt.Errorf("the hub sent a proof-of-work challenge for another hub (%q)", ch.Hub)
	}
	if ch.Bits > pow.MaxSolveBits {
		return "", fmt.Errorf("the hub asks for %d bits of proof of work, over the %d any hub may ask for; refusing to work on it (a hostile or broken hub could keep this computer busy for hours): %w",
			ch.Bits, pow.MaxSolveBits, pow.ErrTooHard)
	}
	report, _ := ctx.Value(powProgressKey{}).(func(PoWProgress))
	if report == nil {
		report = func(PoWProgress) {}
	}
	start := time.Now()
	nonce, err := pow.Solve(ctx, p.Challenge, func(tries uint64) {
		report(PoWProgress{Bits: ch.Bits, Tries: tries, Elapsed: time.Since(start)})
	})
	if err != nil {
		return "", err
	}
	report(PoWProgress{Bits: ch.Bits, Elapsed: time.Since(start), Done: true})
	return p.Challenge + " " + nonce, nil
}

// againWithPoW solves the challenge of the refusal pe to an upload's first
// attempt and sends the same body once more, if the first attempt never
// read from it.
func (c *Client) againWithPoW(ctx context.Context, method, u string, header http.Header, first *heldBody, pe *PoWError) (*http.Response, error) {
	proof, err := c.solvePoW(ctx, pe.PoW)
	if err != nil {
		first.done()
		return nil, err
	}
	if !first.takeBack() {
		first.done()
		c.pow.keep(proof)
		return nil, fmt.Errorf("%w: %w", ErrSendAgain, pe)
	}
	return c.sendBody(ctx, method, u, header, first.r, proof)
}

// keptPoW is a solution kept for the next upload after [ErrSendAgain].
type keptPoW struct {
	mu    sync.Mutex
	proof string
}

func (k *keptPoW) keep(proof string) { k.mu.Lock(); k.proof = proof; k.mu.Unlock() }

func (k *keptPoW) take() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	p := k.proof
	k.proof = ""
	return p
}

var errTakenBack = errors.New("client: upload body taken back")

// heldBody is the body of an upload's first attempt. The transport closes
// a request's body when it is done with it; heldBody holds that back until
// the upload knows whether it will send the same body again, and can be
// taken back from a transport that never read from it.
type heldBody struct {
	r *errReader

	mu                              sync.Mutex
	started, taken, closed, release bool
}

func (h *heldBody) Read(p []byte) (int, error) {
	h.mu.Lock()
	if h.taken {
		h.mu.Unlock()
		return 0, errTakenBack
	}
	h.started = true
	h.mu.Unlock()
	return h.r.Read(p)
}

func (h *heldBody) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	if h.release {
		return h.r.Close()
	}
	return nil
}

// takeBack stops the first attempt from reading and reports whether it
// never did, so that the body can be sent again whole.
func (h *heldBody) takeBack() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.taken = true
	return !h.started
}

// done lets the transport's close through, now or when it comes.
func (h *heldBody) done() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.release = true
	if h.closed {
		h.r.Close()
	}
}

var _ io.ReadCloser = (*heldBody)(nil)
