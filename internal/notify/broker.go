package notify

import "sync"

// subscriberBuffer is how many notifications a subscriber may fall behind
// by before it misses some.
const subscriberBuffer = 64

// Broker hands every event to the responders connected to its hub's event
// stream (an SSE endpoint), whatever channels the hub has. It lives in
// memory only: a responder who is not connected learns of events from the
// submission list.
type Broker struct {
	mu   sync.Mutex
	subs map[string]map[*subscriber]struct{}
}

type subscriber struct {
	ch chan Notification
}

// NewBroker returns a broker with no subscribers.
func NewBroker() *Broker {
	return &Broker{subs: map[string]map[*subscriber]struct{}{}}
}

// Subscribe returns a channel of hub's notifications, one per event
// (Count 1, ID the event's id, Submissions its submission id), and a
// function that ends the subscription and closes the channel. A subscriber
// that does not keep up misses notifications rather than slowing delivery.
func (b *Broker) Subscribe(hub string) (<-chan Notification, func()) {
	s := &subscriber{ch: make(chan Notification, subscriberBuffer)}
	b.mu.Lock()
	if b.subs[hub] == nil {
		b.subs[hub] = map[*subscriber]struct{}{}
	}
	b.subs[hub][s] = struct{}{}
	b.mu.Unlock()
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs[hub], s)
			if len(b.subs[hub]) == 0 {
				delete(b.subs, hub)
			}
			b.mu.Unlock()
			close(s.ch)
		})
	}
}

// Publish sends n to every subscriber of n.Hub without waiting.
func (b *Broker) Publish(n Notification) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs[n.Hub] {
		select {
		case s.ch <- n:
		default:
		}
	}
}
