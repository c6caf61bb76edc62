package casebook

import (
	"context"
	"time"

	"difesa.org/difesa/internal/wire"
)

// eventLoop follows h's event stream while ctx lasts, syncing on every
// event, and reconnects with a growing wait when it ends.
func (b *Book) eventLoop(ctx context.Context, h *hubConn) {
	wait := time.Second
	for ctx.Err() == nil {
		// Whether the hub is reachable is the sync loop's to say.
		connected, _ := b.followEvents(ctx, h)
		if ctx.Err() != nil {
			return
		}
		if connected {
			wait = time.Second
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, time.Minute)
	}
}

// followEvents logs in the event client, opens the stream and syncs on
// each notification until the stream ends.
func (b *Book) followEvents(ctx context.Context, h *hubConn) (bool, error) {
	if err := login(ctx, h.ev, h.ids); err != nil {
		return false, err
	}
	defer func() {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		h.ev.Logout(lctx)
	}()
	s, err := h.ev.Events(ctx, 0)
	if err != nil {
		return false, err
	}
	defer s.Close()
	stop := context.AfterFunc(ctx, func() { s.Close() })
	defer stop()
	for {
		n, err := s.Next()
		if err != nil {
			return true, err
		}
		if n.Alarm != nil && submissionID.MatchString(n.Alarm.ID) {
			b.takeAlarm(h, *n.Alarm)
		}
		if n.Type == wire.EventHubCaseChanged {
			b.settingsChanged(h)
		}
		h.kickSync()
	}
}
