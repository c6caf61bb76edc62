package notify

import (
	"context"
	"sync"

	"difesa.org/difesa/internal/wire"
)

// Result is what happened to a test notification on one channel.
type Result struct {
	Channel string
	Type    string
	// ID is the test notification's id, to look for at the receiver.
	ID string
	// Err is nil when the receiver accepted the notification.
	Err error
	// Problem is Err explained for the person running the hub ([Explain]).
	Problem string
}

// OK reports whether the receiver accepted the notification.
func (r Result) OK() bool { return r.Err == nil }

// TestChannels sends a "test" notification, now, to every channel of hub
// (h.Channels, reached through their proxy or the default proxy) and says
// what happened on each, in the order of the channels. It touches no
// store: nothing is retried.
func TestChannels(ctx context.Context, hub string, h Hub, proxy string) []Result {
	out := make([]Result, len(h.Channels))
	var wg sync.WaitGroup
	for i, c := range h.Channels {
		out[i] = Result{Channel: c.Name, Type: c.Type, ID: newID()}
		ch, err := newChannel(c, proxy, DefaultTimeout)
		if err != nil {
			out[i].Err, out[i].Problem = err, "the channel's settings are wrong: "+err.Error()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := Notification{ID: out[i].ID, Hub: hub, Type: wire.EventTest, Count: 1, URL: h.URL}
			sctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
			defer cancel()
			if err := ch.sender.send(sctx, n); err != nil {
				out[i].Err, out[i].Problem = err, Explain(err)
			}
		}()
	}
	wg.Wait()
	return out
}
