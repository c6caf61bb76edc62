package cli

import (
	"context"
	"fmt"
	"sync"
	"time"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/sealed"
)

// withPoWProgress makes the uploads under ctx tell the user about a hub's
// proof-of-work challenge (docs/pow.md) when it takes longer than a
// second: on a terminal as one line rewritten in place, elsewhere as a
// line when it starts and one when it is done.
func (e *env) withPoWProgress(ctx context.Context) context.Context {
	return client.WithPoWProgress(ctx, e.powReporter())
}

func (e *env) powReporter() func(client.PoWProgress) {
	var (
		mu         sync.Mutex
		shown      bool
		last       time.Time
		onTerminal = isTerminal(e.stderr)
	)
	return func(p client.PoWProgress) {
		mu.Lock()
		defer mu.Unlock()
		if !shown && (p.Done || p.Elapsed < time.Second) {
			return
		}
		switch {
		case p.Done:
			shown = false
			msg := fmt.Sprintf("the hub is busy and asks for proof of work (%d bits): done in %.1f s", p.Bits, p.Elapsed.Seconds())
			if onTerminal {
				fmt.Fprintf(e.stderr, "\rdifesa: %s   \n", msg)
			} else {
				e.printf("%s", msg)
			}
		case !shown:
			shown, last = true, time.Now()
			if onTerminal {
				fmt.Fprintf(e.stderr, "difesa: the hub is busy and asks for proof of work (%d bits): working, %.1f s ", p.Bits, p.Elapsed.Seconds())
			} else {
				e.printf("the hub is busy and asks for proof of work (%d bits): working on it", p.Bits)
			}
		case onTerminal && time.Since(last) >= 250*time.Millisecond:
			last = time.Now()
			fmt.Fprintf(e.stderr, "\rdifesa: the hub is busy and asks for proof of work (%d bits): working, %.1f s ", p.Bits, p.Elapsed.Seconds())
		}
	}
}

// uploadStopped reports whether an encryption into an upload's pipe ended
// because the upload stopped reading ([sealed.UploadStopped]).
func uploadStopped(encErr error) bool { return sealed.UploadStopped(encErr) }
