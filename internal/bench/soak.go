package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/wire"
)

// The soak's mix. Reporters are -concurrency clients each sending a small
// report every soakThink or so; the rest is fixed. Codename requests
// (check-ins, follow-ups, conversation reads) are paced under the hub's
// limit of 2 a second, so a 429 there is a failure, not noise.
const (
	soakThink         = 250 * time.Millisecond
	soakBigSize       = 4 << 20
	soakBigClients    = 2
	soakBigPause      = 500 * time.Millisecond
	soakResponders    = 2
	soakRelogin       = 30 * time.Second
	soakVerifyEvery   = 8 // one small report in 8 is downloaded and decrypted
	soakClaims        = 64
	soakReplyEvery    = 2 * time.Second
	soakDefenders     = 4
	soakCodenameEvery = 600 * time.Millisecond
	soakAlertEvery    = 2 * time.Second
	soakSampleEvery   = 500 * time.Millisecond
	soakRequest       = 60 * time.Second
)

// soakSub is a submission the soak sent and a responder will read.
type soakSub struct {
	sum    [32]byte // SHA-256 of the plaintext
	verify bool     // download and decrypt it before deleting it
}

// soak is one soak run's shared state.
type soak struct {
	rec    *soakRecorder
	id     *age.HybridIdentity
	recips []age.Recipient
	stop   chan struct{}

	mu       sync.Mutex
	pending  map[string]soakSub
	threads  map[string]*Defender // opening submission id → its defender
	replies  map[*Defender][]byte // each defender's reply, encrypted once
	verified int
	alerts   int
}

// pause waits d, or returns false if the soak is over.
func (s *soak) pause(d time.Duration) bool {
	select {
	case <-s.stop:
		return false
	case <-time.After(d):
		return true
	}
}

// jitter returns d give or take a half.
func jitter(d time.Duration) time.Duration { return d/2 + rand.N(d) }

// reqCtx bounds one request; the soak's end never cuts a request short.
func reqCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), soakRequest)
}

func (s *soak) add(id string, sub soakSub) {
	s.mu.Lock()
	s.pending[id] = sub
	s.mu.Unlock()
}

// claim takes id from the submissions to read, so that one responder
// alone reads and deletes it.
func (s *soak) claim(id string) (soakSub, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.pending[id]
	delete(s.pending, id)
	return sub, ok
}

// sender keeps sending bodies from pool as kind, each from its own client
// loop, pausing about every between two.
func (s *soak) sender(ctx context.Context, hc *HubClient, kind string, w int, pool [][]byte, sums [][32]byte, every time.Duration) {
	for i := w; s.pause(jitter(every)); i++ {
		body := pool[i%len(pool)]
		var created wire.SubmissionCreated
		err, expected := s.rec.time(kind, func() error {
			rctx, cancel := reqCtx(ctx)
			defer cancel()
			var err error
			if kind == wire.KindAlert {
				created, err = hc.SubmitKind(rctx, kind, bytes.NewReader(body), int64(len(body)))
			} else {
				created, err = hc.Submit(rctx, bytes.NewReader(body), int64(len(body)))
			}
			return err
		})
		if err != nil {
			if expected {
				s.pause(time.Second)
			}
			continue
		}
		s.add(created.ID, soakSub{sum: sums[i%len(pool)], verify: kind != wire.KindReport || i%soakVerifyEvery == 0})
		if kind == wire.KindAlert {
			s.mu.Lock()
			s.alerts++
			s.mu.Unlock()
		}
	}
}

// responder logs in, then lists, reads some of what arrived, deletes it,
// and now and then replies to a conversation, until the soak ends.
func (s *soak) responder(ctx context.Context, hc *HubClient) {
	var loggedIn, replied time.Time
	for {
		select {
		case <-s.stop:
			return
		default:
		}
		if time.Since(loggedIn) > soakRelogin {
			if err, _ := s.rec.time("login", func() error {
				rctx, cancel := reqCtx(ctx)
				defer cancel()
				return hc.Login(rctx, s.id, s.id.Recipient().String())
			}); err != nil {
				s.pause(time.Second)
				continue
			}
			loggedIn = time.Now()
		}
		var list []wire.Submission
		if err, _ := s.rec.time("list", func() error {
			rctx, cancel := reqCtx(ctx)
			defer cancel()
			var err error
			list, err = hc.List(rctx)
			return err
		}); err != nil {
			s.pause(time.Second)
			continue
		}
		claimed := 0
		for _, sub := range list {
			want, ok := s.claim(sub.ID)
			if !ok {
				continue
			}
			claimed++
			if want.verify {
				s.rec.time("download", func() error { return s.check(ctx, hc, sub.ID, want.sum) })
			}
			s.rec.time("delete", func() error {
				rctx, cancel := reqCtx(ctx)
				defer cancel()
				return hc.Delete(rctx, sub.ID)
			})
			if claimed == soakClaims {
				break
			}
		}
		if time.Since(replied) > soakReplyEvery {
			s.reply(ctx, hc)
			replied = time.Now()
		}
		if claimed == 0 && !s.pause(200*time.Millisecond) {
			return
		}
	}
}

// check downloads a submission, decrypts it and compares its plaintext.
func (s *soak) check(ctx context.Context, hc *HubClient, id string, want [32]byte) error {
	rctx, cancel := reqCtx(ctx)
	defer cancel()
	body, _, err := hc.Download(rctx, id)
	if err != nil {
		return err
	}
	defer body.Close()
	if err := decryptsTo(body, s.id, want); err != nil {
		return err
	}
	s.mu.Lock()
	s.verified++
	s.mu.Unlock()
	return nil
}

// decryptsTo decrypts r with id and checks the plaintext's SHA-256.
func decryptsTo(r io.Reader, id age.Identity, want [32]byte) error {
	pr, err := age.Decrypt(r, id)
	if err != nil {
		return fmt.Errorf("%w: %v", errVerify, err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, pr); err != nil {
		return fmt.Errorf("%w: %v", errVerify, err)
	}
	if [32]byte(h.Sum(nil)) != want {
		return errVerify
	}
	return nil
}

// reply answers one conversation, picked at random.
func (s *soak) reply(ctx context.Context, hc *HubClient) {
	s.mu.Lock()
	var root string
	var body []byte
	for id, d := range s.threads { // map order: a random one
		root, body = id, s.replies[d]
		break
	}
	s.mu.Unlock()
	if root == "" {
		return
	}
	s.rec.time("reply", func() error {
		rctx, cancel := reqCtx(ctx)
		defer cancel()
		_, err := hc.Reply(rctx, root, body)
		return err
	})
}

// defenders take turns to check in, send a follow-up, read their
// conversation and the latest reply in it, one request every
// soakCodenameEvery.
func (s *soak) defenders(ctx context.Context, hc *HubClient, ds []*Defender, body []byte, replySum [32]byte) {
	latest := map[*Defender]string{}
	for i := 0; s.pause(soakCodenameEvery); i++ {
		d := ds[(i/4)%len(ds)]
		rctx, cancel := reqCtx(ctx)
		var err error
		var expected bool
		switch i % 4 {
		case 0:
			err, expected = s.rec.time("checkin", func() error { _, err := hc.CheckIn(rctx, d); return err })
		case 1:
			err, expected = s.rec.time("followup", func() error { _, err := hc.Followup(rctx, d, body); return err })
		case 2:
			err, expected = s.rec.time("thread", func() error {
				th, err := hc.Thread(rctx, d)
				for _, m := range th.Messages {
					if m.Kind == wire.KindReply {
						latest[d] = m.ID
					}
				}
				return err
			})
		case 3:
			if id := latest[d]; id != "" {
				err, expected = s.rec.time("reply-read", func() error {
					b, err := hc.ThreadMessage(rctx, d, id)
					if err != nil {
						return err
					}
					return decryptsTo(bytes.NewReader(b), d.Reply, replySum)
				})
			}
		}
		cancel()
		if err != nil && expected {
			s.pause(time.Second)
		}
	}
}

// soakChannel is the webhook channel of the soak's hub: alerts at once, the
// rest batched every minute.
func soakChannel(recv *WebhookReceiver) string {
	return fmt.Sprintf("\n[[hub.channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = %q\nsecret = %q\nbatch_window = \"1m\"\n",
		recv.URL, recv.Secret)
}

// plaintextSums returns the SHA-256 of Plaintext(i+1, size) for each of
// the n files [EncryptPool] makes.
func plaintextSums(n int, size int64) [][32]byte {
	sums := make([][32]byte, n)
	for i := range sums {
		h := sha256.New()
		io.Copy(h, Plaintext(uint64(i)+1, size))
		sums[i] = [32]byte(h.Sum(nil))
	}
	return sums
}

// soak runs d of mixed load against one difesad and watches its open
// files, memory and database. It returns an error, after filling
// res.Soak, if descriptors grew or a request failed unexpectedly.
func (r *runner) soak(ctx context.Context, res *Results, d time.Duration, reporters, size int) error {
	fmt.Fprintf(r.log, "difesa-bench: soak: %v of mixed load, %d reporters\n", d, reporters)
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		return err
	}
	recv, err := NewWebhookReceiver(nil)
	if err != nil {
		return err
	}
	defer recv.Close()
	dir := filepath.Join(r.work, "soak")
	alarmHook, err := NewWebhookReceiver(nil)
	if err != nil {
		return err
	}
	defer alarmHook.Close()
	alarmEsc, err := NewWebhookReceiver(nil)
	if err != nil {
		return err
	}
	defer alarmEsc.Close()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	probeHub, err := alarmHub(dir, id.Recipient().String(), alarmHook, alarmEsc)
	if err != nil {
		return err
	}
	cfg, err := notifyHub(dir, id.Recipient().String(), soakChannel(recv)+probeHub)
	if err != nil {
		return err
	}
	p, err := r.start("-serve", "-config", cfg, "-data", filepath.Join(dir, "data"))
	if err != nil {
		return err
	}
	defer p.Stop(30 * time.Second)
	pid := p.Cmd.Process.Pid
	dbPath := filepath.Join(dir, "data", daemon.DatabaseFile)
	sr := &SoakResult{Reporters: reporters, BigPlain: soakBigSize}
	res.Soak = sr
	launch, err := sample(pid, time.Now())
	if err != nil {
		return err
	}
	sr.FDsLaunch, sr.DBLaunch = launch.FDs, fileSize(dbPath)

	s := &soak{rec: newSoakRecorder(r.log), id: id, stop: make(chan struct{}),
		pending: map[string]soakSub{}, threads: map[string]*Defender{}, replies: map[*Defender][]byte{}}
	var clients []*HubClient
	client := func(conns int) (*HubClient, error) {
		hc, err := NewHubClient(p.URL+"/hubs/bench", conns) // not p.HubURL: the probe hub may be printed first
		clients = append(clients, hc)
		return hc, err
	}
	reporterHC, err := client(reporters)
	if err != nil {
		return err
	}
	if s.recips, err = reporterHC.Recipients(ctx); err != nil {
		return err
	}
	small, err := EncryptPool(256, size, s.recips)
	if err != nil {
		return err
	}
	smallSums := plaintextSums(len(small), int64(size))
	big, err := EncryptPool(4, soakBigSize, s.recips)
	if err != nil {
		return err
	}
	bigSums := plaintextSums(len(big), soakBigSize)

	// The defenders open their conversations and arm their timers; each
	// has a reply waiting to be sent, encrypted once.
	defHC, err := client(1)
	if err != nil {
		return err
	}
	replyText := []byte("a responder's reply, read back by the defender")
	replySum := sha256.Sum256(replyText)
	var ds []*Defender
	for i := range soakDefenders {
		d, err := NewDefender()
		if err != nil {
			return err
		}
		created, err := defHC.OpenThread(ctx, d, small[i])
		if err != nil {
			return fmt.Errorf("opening a conversation: %w", err)
		}
		if _, err := defHC.ArmCheckin(ctx, d, time.Hour, time.Hour, small[i+1]); err != nil {
			return fmt.Errorf("arming a check-in: %w", err)
		}
		var buf bytes.Buffer
		w, err := age.Encrypt(&buf, append(append([]age.Recipient(nil), s.recips...), d.Reply.Recipient())...)
		if err != nil {
			return err
		}
		w.Write(replyText)
		if err := w.Close(); err != nil {
			return err
		}
		s.threads[created.ID], s.replies[d] = d, buf.Bytes()
		ds = append(ds, d)
	}
	var responders []*HubClient
	for range soakResponders {
		hc, err := client(2)
		if err != nil {
			return err
		}
		if err := hc.Login(ctx, id, id.Recipient().String()); err != nil {
			return err
		}
		responders = append(responders, hc)
	}
	bigHC, err := client(soakBigClients)
	if err != nil {
		return err
	}
	// The case records' responders, at difesad and at the baseline.
	baseline, err := r.start("-serve-baseline", "-data", filepath.Join(dir, "baseline"))
	if err != nil {
		return err
	}
	defer baseline.Stop(30 * time.Second)
	cl, err := newCaseLoad(id, s.recips)
	if err != nil {
		return err
	}
	var caseHCs []*HubClient
	var baselineStores []caseStore
	for range soakCaseResponders {
		hc, err := client(2)
		if err != nil {
			return err
		}
		caseHCs = append(caseHCs, hc)
		baselineStores = append(baselineStores, &baselineCases{base: baseline.URL, http: &http.Client{Transport: NewTransport(2)}})
	}
	if err := caseHCs[0].Login(ctx, id, id.Recipient().String()); err != nil {
		return err
	}
	if err := cl.create(ctx, reporterHC, small[0], caseHCs[0], baselineStores[0]); err != nil {
		return fmt.Errorf("warming up: %w", err)
	}
	alertHC, err := client(1)
	if err != nil {
		return err
	}

	// One of each before the start is measured, so that what a first
	// request opens for good (the notifier's connection) is counted in
	// the start.
	for _, w := range []struct {
		hc   *HubClient
		kind string
		body []byte
	}{{reporterHC, wire.KindReport, small[0]}, {bigHC, wire.KindReport, big[0]}, {alertHC, wire.KindAlert, small[0]}} {
		created, err := w.hc.SubmitKind(ctx, w.kind, bytes.NewReader(w.body), int64(len(w.body)))
		if err == nil {
			_, err = responders[0].List(ctx)
		}
		if err == nil {
			err = responders[0].Delete(ctx, created.ID)
		}
		if err != nil {
			return fmt.Errorf("warming up: %w", err)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	err = recv.WaitFor(wctx, func(as []Arrival) bool { return len(as) > 0 })
	cancel()
	if err != nil {
		return fmt.Errorf("warming up: no webhook for an urgent alert within 15 s")
	}
	idle := func() {
		for _, hc := range clients {
			hc.HTTP.CloseIdleConnections()
		}
	}
	idle()
	warmAlerts := len(recv.Arrivals())
	start, err := settle(pid, 0)
	if err != nil {
		return err
	}
	sr.FDsStart, sr.ThreadsStart, sr.RSSStart, sr.DBStart = start.FDs, start.Threads, start.RSS, fileSize(dbPath)

	// The alarm probe's baseline, on the idle server.
	var probe *alarmProbe
	if r.alarms {
		if probe, err = newAlarmProbe(ctx, p.URL, alarmHook, alarmEsc); err != nil {
			return err
		}
		idleAlarms, err := probe.run(ctx, r.log, "idle")
		sr.AlarmsIdle = &idleAlarms
		if err != nil {
			return err
		}
		idle()
	}

	began := time.Now()
	var wg sync.WaitGroup
	for w := range reporters {
		wg.Go(func() { s.sender(ctx, reporterHC, wire.KindReport, w, small, smallSums, soakThink) })
	}
	for w := range soakBigClients {
		wg.Go(func() { s.sender(ctx, bigHC, "large", w, big, bigSums, soakBigPause) })
	}
	wg.Go(func() { s.sender(ctx, alertHC, wire.KindAlert, 0, small, smallSums, soakAlertEvery) })
	for _, hc := range responders {
		wg.Go(func() { s.responder(ctx, hc) })
	}
	wg.Go(func() { s.defenders(ctx, defHC, ds, small[7], replySum) })
	for w, hc := range caseHCs {
		login := func() error {
			rctx, cancel := reqCtx(ctx)
			defer cancel()
			return hc.Login(rctx, id, id.Recipient().String())
		}
		wg.Go(func() { s.caseResponder(ctx, cl, hc, "", w, login) })
	}
	for w, bs := range baselineStores {
		wg.Go(func() { s.caseResponder(ctx, cl, bs, baselineSuffix, w, nil) })
	}
	sampled := make(chan []SoakSample, 1)
	go func() {
		var samples []SoakSample
		for s.pause(soakSampleEvery) {
			if x, err := sample(pid, began); err == nil {
				x.DB = fileSize(dbPath)
				samples = append(samples, x)
			}
		}
		sampled <- samples
	}()
	// The alarm probe under the load, which lasts until it is done.
	probed := make(chan error, 1)
	if probe == nil {
		probed <- nil
	} else {
		go func() {
			a, err := probe.run(ctx, r.log, "soak")
			sr.AlarmsLoaded = &a
			probed <- err
		}()
	}
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	probeErr := <-probed
	close(s.stop)
	wg.Wait()
	elapsed := time.Since(began)
	sr.Samples = <-sampled
	fmt.Fprintf(r.log, "difesa-bench: soak: load stopped after %v, waiting for the last alerts' webhooks\n", elapsed.Round(time.Millisecond))

	sr.Seconds = elapsed.Seconds()
	sr.AlertsSent = s.alerts
	urgent := func(as []Arrival) int {
		n := 0
		for _, a := range as[warmAlerts:] {
			if a.Urgent && a.Type == wire.EventAlertReceived {
				n += a.Count
			}
		}
		return n
	}
	wctx, cancel = context.WithTimeout(ctx, 30*time.Second)
	recv.WaitFor(wctx, func(as []Arrival) bool { return urgent(as) >= s.alerts })
	cancel()
	sr.AlertsHooks = urgent(recv.Arrivals())

	idle()
	end, err := settle(pid, sr.FDsStart+fdSlack)
	if err != nil {
		return err
	}
	sr.FDsEnd, sr.ThreadsEnd, sr.RSSPeak, sr.DBEnd = end.FDs, end.Threads, end.Peak, fileSize(dbPath)
	sr.Left, sr.Verified = len(s.pending), s.verified
	sr.Cases = cl.result()
	sr.Ops, sr.Unexpected, sr.Expected = s.rec.ops(elapsed)
	sr.judgeSamples(elapsed)
	if bad := recv.Refused(); len(bad) > 0 {
		sr.Unexpected += len(bad)
		fmt.Fprintf(r.log, "difesa-bench: soak: the webhook receiver refused %d notifications: %s\n", len(bad), bad[0])
	}
	if sr.AlertsHooks < sr.AlertsSent {
		sr.Unexpected += sr.AlertsSent - sr.AlertsHooks
	}
	if err := p.Stop(30 * time.Second); err != nil {
		return err
	}
	if err := baseline.Stop(30 * time.Second); err != nil {
		return err
	}
	switch {
	case probeErr != nil:
		return probeErr
	case !sr.FDsFlat:
		return fmt.Errorf("soak: the server's open files grew from %d to %d", sr.FDsStart, sr.FDsEnd)
	case sr.Unexpected > 0:
		return fmt.Errorf("soak: %d unexpected errors", sr.Unexpected)
	}
	return nil
}

// settle samples the idle server until its descriptors are at most want
// (0: until they stop falling), for up to 5 seconds, and returns the
// sample with the fewest.
func settle(pid, want int) (SoakSample, error) {
	deadline := time.Now().Add(5 * time.Second)
	best, err := sample(pid, time.Now())
	if err != nil {
		return best, err
	}
	for time.Now().Before(deadline) && (want == 0 || best.FDs > want) {
		time.Sleep(250 * time.Millisecond)
		x, err := sample(pid, time.Now())
		if err != nil {
			return best, err
		}
		if want == 0 && x.FDs >= best.FDs { // stopped falling
			if x.FDs == best.FDs {
				best = x
			}
			return best, nil
		}
		if x.FDs < best.FDs {
			best = x
		}
	}
	return best, nil
}
