package daemon

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"difesa.org/difesa/internal/checkin"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/notify"
)

// notifyHubs returns every configured hub's channels and address.
func notifyHubs(cfg *config.Config) (map[string]notify.Hub, error) {
	out := map[string]notify.Hub{}
	for _, hc := range cfg.Hubs {
		k, err := cfg.BuildHub(hc)
		if err != nil {
			return nil, fmt.Errorf("hub %q: %w", hc.ID, err)
		}
		out[hc.ID] = notify.Hub{URL: cfg.HubURL(hc.ID), Channels: k.Channels}
	}
	return out, nil
}

func runOutbox(e env, args []string) int {
	fs, cf := newFlagSet(e, "outbox")
	if code := parse(e, fs, args); code >= 0 {
		return code
	}
	cfg, err := cf.load(e)
	if err != nil {
		return e.errorf("%v", err)
	}
	hubs, err := notifyHubs(cfg)
	if err != nil {
		return e.errorf("%v", err)
	}
	st, code := openReadOnly(e, filepath.Join(cfg.DataDir, DatabaseFile))
	if code >= 0 {
		return code
	}
	defer st.Close()
	rep, err := notify.OutboxReport(st, hubs)
	if err != nil {
		return e.errorf("%v", err)
	}
	rep.WriteTo(e.stdout)
	policies := map[string]checkin.Escalation{}
	for _, h := range cfg.Hubs {
		policies[h.ID] = h.Escalation()
	}
	esc, err := checkin.PendingEscalations(st, policies)
	if err != nil {
		return e.errorf("%v", err)
	}
	fmt.Fprintln(e.stdout)
	checkin.WriteEscalations(e.stdout, esc)
	return 0
}

// runNotify is `difesad notify test -hub ID`.
func runNotify(e env, args []string) int {
	if len(args) == 0 || args[0] != "test" {
		e.errorf("usage: difesad notify test -hub ID [-config FILE]")
		return 2
	}
	fs, cf := newFlagSet(e, "notify test")
	hubID := fs.String("hub", "", "")
	if code := parse(e, fs, args[1:]); code >= 0 {
		return code
	}
	cfg, err := cf.load(e)
	if err != nil {
		return e.errorf("%v", err)
	}
	hubs, err := notifyHubs(cfg)
	if err != nil {
		return e.errorf("%v", err)
	}
	h, ok := hubs[*hubID]
	if !ok {
		return e.errorf("no hub %q in the configuration", *hubID)
	}
	if len(h.Channels) == 0 {
		e.errorf("hub %q has no notification channels", *hubID)
		e.hintf("add [[hub.channel]] blocks to its configuration; see docs/notifications.md")
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	failed := 0
	for _, r := range notify.TestChannels(ctx, *hubID, h, cfg.NotifyProxy) {
		if r.OK() {
			fmt.Fprintf(e.stdout, "%-16s %-8s OK (notification %s)\n", r.Channel, r.Type, r.ID)
			continue
		}
		failed++
		fmt.Fprintf(e.stdout, "%-16s %-8s FAILED: %s\n", r.Channel, r.Type, r.Problem)
	}
	if failed > 0 {
		return 1
	}
	return 0
}
