package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/auth"
	"difesa.org/difesa/internal/checkin"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/hubkeys"
	"difesa.org/difesa/internal/notify"
	"difesa.org/difesa/internal/pow"
	"difesa.org/difesa/internal/store"
)

// DatabaseFile is the name of the bbolt file inside the data folder.
const DatabaseFile = "difesa.db"

// Instance is a running server.
type Instance struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:8080.
	URL string
	// Hubs are the hubs served.
	Hubs *hub.Registry
	// NotifyHubs are the hubs' notification channels and addresses.
	NotifyHubs map[string]notify.Hub
	// DemoIdentity is the path of the demo hub's responder identity, and
	// DemoAdminKey of its admin key, or "".
	DemoIdentity, DemoAdminKey string
	Store                      *store.Store
	// AdminAddr is where the admin endpoints listen (HOST:PORT or
	// unix:PATH, as `difesad backup -admin` takes it), or "".
	AdminAddr string
	// PoW is the proof-of-work gate of anonymous uploads (docs/pow.md);
	// tests force its load with SetLoad.
	PoW *pow.Gate

	srv  *http.Server
	log  *slog.Logger
	done chan error
	// stopBackground ends the background loops (check-in scheduler) and
	// waits for them.
	stopBackground func()
}

// Start prepares the data folder, opens the store and starts serving.
func Start(cfg *config.Config, logger *slog.Logger) (*Instance, error) {
	return StartWith(cfg, logger, StartOptions{})
}

// StartOptions tune [StartWith]. The zero value is what production uses.
type StartOptions struct {
	// Now replaces time.Now everywhere the server reads the time (the
	// store, the API, logins, check-ins, notifications, retention), for
	// tests that run a whole server at a chosen instant.
	Now func() time.Time
	// After, with Now, replaces time.After where the check-in scheduler
	// waits for its next deadline or escalation step (nil: time.After).
	After func(time.Duration) <-chan time.Time
}

// StartWith is [Start] with options.
func StartWith(cfg *config.Config, logger *slog.Logger, opts StartOptions) (*Instance, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if err := prepareDataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	inst := &Instance{log: logger, done: make(chan error, 1)}

	st, err := store.Open(filepath.Join(cfg.DataDir, DatabaseFile), store.Options{Now: now})
	if err != nil {
		return nil, err
	}
	inst.Store = st
	hubs, channels, err := loadHubs(cfg, st, inst, now)
	if err != nil {
		st.Close()
		return nil, err
	}
	inst.Hubs = hub.NewRegistry(hubs...)
	inst.PoW = pow.NewGate(cfg.PoWPolicy(), now)
	authSvc, err := auth.New(st, now)
	if err != nil {
		st.Close()
		return nil, err
	}

	broker := notify.NewBroker()
	notifyHubs := map[string]notify.Hub{}
	for _, h := range hubs {
		notifyHubs[h.ID] = notify.Hub{URL: cfg.HubURL(h.ID), Channels: channels[h.ID]}
	}
	inst.NotifyHubs = notifyHubs
	worker, err := notify.NewWorker(notify.Options{
		Store: st, Hubs: notifyHubs, Broker: broker, Logger: logger, Proxy: cfg.NotifyProxy, Now: now,
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	sched := checkin.NewScheduler(st, logger)
	sched.Now = now
	sched.After = opts.After
	sched.Fired = worker.Kick
	sched.Escalation = map[string]checkin.Escalation{}
	for _, h := range cfg.Hubs {
		sched.Escalation[h.ID] = h.Escalation()
	}
	bg, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(4)
	go func() { defer wg.Done(); authSvc.Run(bg) }()
	go func() { defer wg.Done(); sched.Run(bg) }()
	go func() { defer wg.Done(); worker.Run(bg) }()
	ret := newRetention(cfg, st, logger)
	ret.now = now
	ret.notifier = worker
	go func() { defer wg.Done(); ret.Run(bg) }()
	inst.stopBackground = func() { cancel(); wg.Wait() }
	col := newMetrics(inst)
	if err := inst.startAdmin(cfg.AdminListen, cfg.AdminHosts, col); err != nil {
		inst.stopBackground()
		st.Close()
		return nil, err
	}

	ln, err := listen(cfg.Listen)
	if err != nil {
		inst.stopBackground()
		st.Close()
		return nil, fmt.Errorf("unable to listen on %s: %w", cfg.Listen, err)
	}
	inst.URL = "http://" + ln.Addr().String()
	if ln.Addr().Network() == "unix" {
		inst.URL = "http://unix" // reached through the socket, e.g. by Tor
	}
	inst.srv = &http.Server{
		Handler: countUploads(col, api.New(api.Options{
			Store: st, Hubs: inst.Hubs, Auth: authSvc, Logger: logger, Now: now,
			Checkins: sched, Notifier: worker, Events: broker, OnionAddress: cfg.OnionAddress, PublicURL: cfg.PublicURL,
			OnError: col.Rejected, MaxConcurrentUploads: cfg.MaxConcurrentUploads,
			PoW: inst.PoW,
		})),
		// Uploads and downloads extend their own deadlines while data
		// flows (see package api); these bound everything else.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    16 << 10,
		// net/http would log TLS and protocol errors with the client's
		// address; keep them out.
		ErrorLog: newAddrFreeLogger(logger.Handler()),
	}
	// Live event streams never finish by themselves: end their sessions
	// as the shutdown starts, so that it waits only for real requests.
	inst.srv.RegisterOnShutdown(authSvc.EndAll)
	ln = LimitConnections(inst.srv, ln, cfg.MaxConnections)
	go func() {
		err := inst.srv.Serve(ln)
		if !errors.Is(err, http.ErrServerClosed) {
			inst.done <- err
		}
		close(inst.done)
	}()
	logger.Info("difesad started", "listen", ln.Addr().String(), "hubs", len(hubs))
	return inst, nil
}

// loadHubs builds every hub at its latest stored epoch, bootstrapping new
// hubs from their configured first manifest (or the demo's).
func loadHubs(cfg *config.Config, st *store.Store, inst *Instance, now func() time.Time) ([]*hub.Hub, map[string][]notify.ChannelConfig, error) {
	var keys []*config.HubKeys
	if cfg.Demo() {
		k, paths, err := prepareDemo(cfg.DataDir, time.Duration(cfg.TimeGranularity), now())
		if err != nil {
			return nil, nil, err
		}
		keys, inst.DemoIdentity, inst.DemoAdminKey = []*config.HubKeys{k}, paths.identity, paths.adminKey
	} else {
		for _, hc := range cfg.Hubs {
			k, err := cfg.BuildHub(hc)
			if err != nil {
				return nil, nil, fmt.Errorf("hub %q: %w", hc.ID, err)
			}
			keys = append(keys, k)
		}
	}
	var hubs []*hub.Hub
	channels := map[string][]notify.ChannelConfig{}
	for _, k := range keys {
		channels[k.Settings.ID] = k.Channels
		h, err := hubkeys.Load(st, k.Settings, k.Admin, k.Initial)
		if err != nil {
			return nil, nil, err
		}
		hubs = append(hubs, h)
	}
	return hubs, channels, nil
}

// Done is closed when the server stops, after sending an error if it
// stopped by itself.
func (i *Instance) Done() <-chan error { return i.done }

// HubURL returns the address of a hub as users write it.
func (i *Instance) HubURL(id string) string { return i.URL + "/hubs/" + id }

// Shutdown stops accepting requests, waits for those in flight until ctx
// ends, and closes the store.
func (i *Instance) Shutdown(ctx context.Context) error {
	err := i.srv.Shutdown(ctx)
	i.stopBackground()
	if cerr := i.Store.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close stops at once.
func (i *Instance) Close() error {
	i.srv.Close()
	i.stopBackground()
	return i.Store.Close()
}

// PrintWelcome tells the person who started the server what to do next.
func (i *Instance) PrintWelcome(w io.Writer) {
	for _, h := range i.Hubs.All() {
		fmt.Fprintf(w, "hub %q (%s): %s\n", h.ID, h.Name, i.HubURL(h.ID))
	}
	if i.DemoIdentity != "" {
		i.printDemoWelcome(w)
	}
}

// listen opens HOST:PORT, or unix:PATH as a unix socket that only this
// user (and its group, for Tor) can reach.
func listen(addr string) (net.Listener, error) {
	path, ok := strings.CutPrefix(addr, "unix:")
	if !ok {
		return net.Listen("tcp", addr)
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Remove(path) // left by a previous run
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o660); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}
