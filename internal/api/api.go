// Package api is difesa's HTTP interface: one route table, handlers that are
// methods on [Server] returning errors, and one error path that turns those
// errors into stable JSON codes (see docs/api.md).
//
// # What is never recorded
//
// No handler or middleware reads the client's address, user agent or any
// other request header into storage or logs; there is no access log. The
// only time the server keeps about a submission is its arrival rounded down
// to the hub's granularity (an hour by default).
package api

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"filippo.io/age"
	"github.com/go-chi/chi/v5"

	"difesa.org/difesa/internal/auth"
	"difesa.org/difesa/internal/cap"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/notify"
	"difesa.org/difesa/internal/pow"
	"difesa.org/difesa/internal/ratelimit"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/web"
	"difesa.org/difesa/internal/wire"
)

// Server holds the dependencies of the handlers.
type Server struct {
	store *store.Store
	hubs  *hub.Registry
	auth  *auth.Service
	log   *slog.Logger
	now   func() time.Time

	// publishMu serialises manifest publications, so the registry moves
	// through epochs in order.
	publishMu sync.Mutex
	// codenameLimit bounds codename (thread token) lookups.
	codenameLimit *ratelimit.Limiter
	// decoys stand in for the defender's reply key in reply policies.
	decoys struct{ hybrid, classic age.Recipient }

	checkins        Poker
	notifier        Kicker
	minCheckinEvery time.Duration
	events          *notify.Broker
	onionAddress    string
	publicURL       string
	onError         func(code string)
	// bulletins remembers checked bulletins, which the feed shows again
	// and again.
	bulletins *cap.Cache
	// admission bounds uploads (admission.go); uploadIdle is how long one
	// may stall (upload_pace.go).
	admission  *admission
	uploadIdle time.Duration
	// pow asks anonymous uploads for proof of work under load (pow.go).
	pow *pow.Gate
}

// Poker is told when check-in timers change (the check-in scheduler).
type Poker interface{ Poke() }

// Kicker is told when notification events were committed (the
// notification worker), so urgent ones leave at once.
type Kicker interface{ Kick() }

func (s *Server) pokeCheckins() {
	if s.checkins != nil {
		s.checkins.Poke()
	}
}

func (s *Server) kickNotifier() {
	if s.notifier != nil {
		s.notifier.Kick()
	}
}

// Default limits on codename lookups: per second and burst, overall and per
// hub. A codename has 90 bits; these bound online guessing to a few hundred
// thousand tries a day, hopeless against 2^89, while a defender typing
// their codename is never refused in practice.
const (
	CodenameRate, CodenameBurst       = 5, 50
	CodenameHubRate, CodenameHubBurst = 2, 20
)

// Options configures [New].
type Options struct {
	Store  *store.Store
	Hubs   *hub.Registry
	Auth   *auth.Service
	Logger *slog.Logger
	// Now replaces time.Now, for tests.
	Now func() time.Time
	// CodenameLimit replaces the default codename lookup limits.
	CodenameLimit *ratelimit.Limiter
	// Checkins and Notifier are told about new timers and events.
	Checkins Poker
	Notifier Kicker
	// MinCheckinEvery is the shortest check-in interval (default 1 minute;
	// tests use seconds).
	MinCheckinEvery time.Duration
	// Events feeds responders' live event streams.
	Events *notify.Broker
	// OnionAddress, if set, is announced to web visitors with an
	// Onion-Location header.
	OnionAddress string
	// PublicURL, if set, is the server's address as people reach it
	// (config public_url); the bulletin feed's links start with it or
	// OnionAddress (bulletin_links.go).
	PublicURL string
	// OnError, if set, is told the stable code of every error answer
	// (for metrics). It gets nothing else about the request.
	OnError func(code string)
	// MaxConcurrentUploads bounds the uploads in progress over all hubs
	// (default [DefaultMaxConcurrentUploads]); an upload waits up to
	// UploadQueueWait (default [DefaultUploadQueueWait]) for a free slot
	// before it is refused. See admission.go.
	MaxConcurrentUploads int
	UploadQueueWait      time.Duration
	// Hour and UploadIdleTimeout replace, for tests, the hour of the hubs'
	// max_submissions_per_hour and the 60 s an upload may stall.
	Hour, UploadIdleTimeout time.Duration
	// PoW, if set, asks anonymous uploads for proof of work while the
	// server is under load (pow.go, docs/pow.md).
	PoW *pow.Gate

	// slotHooks, if set, are told when an upload takes a slot or starts
	// to wait for one (tests set them: export_test.go).
	slotHooks *slotHooks
}

// New returns the HTTP handler of a difesa server.
func New(o Options) http.Handler {
	s := &Server{store: o.Store, hubs: o.Hubs, auth: o.Auth, log: o.Logger, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.checkins, s.notifier, s.minCheckinEvery, s.events = o.Checkins, o.Notifier, o.MinCheckinEvery, o.Events
	s.onionAddress, s.onError = o.OnionAddress, o.OnError
	s.publicURL = o.PublicURL
	s.bulletins = cap.NewCache(bulletinCacheSize)
	if s.minCheckinEvery == 0 {
		s.minCheckinEvery = time.Minute
	}
	s.codenameLimit = o.CodenameLimit
	if s.codenameLimit == nil {
		s.codenameLimit = ratelimit.NewLimiter(CodenameRate, CodenameBurst, CodenameHubRate, CodenameHubBurst, s.now)
	}
	s.admission, s.uploadIdle = newAdmission(o, s.now), o.UploadIdleTimeout
	s.pow = o.PoW
	if s.uploadIdle <= 0 {
		s.uploadIdle = uploadIdleTimeout
	}
	hid, _ := age.GenerateHybridIdentity()
	xid, _ := age.GenerateX25519Identity()
	s.decoys.hybrid, s.decoys.classic = hid.Recipient(), xid.Recipient()
	return s.routes()
}

// routes is the one table of every route the server answers.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(s.recoverPanics, securityHeaders)
	r.NotFound(s.handle(func(http.ResponseWriter, *http.Request) error { return errNoRoute }))
	r.MethodNotAllowed(s.handle(func(http.ResponseWriter, *http.Request) error { return errMethod }))

	r.Get("/healthz", s.handle(s.handleHealth))
	// The root: a browser gets a page that leads to the hubs.
	root := web.NewRoot(web.Options{Hubs: s.hubs, Logger: s.log, OnionAddress: s.onionAddress})
	r.Get("/", s.handle(s.handleRoot(root)))

	// The defender's pages (internal/web); their forms without JavaScript
	// hand ciphertext and codes back to this router in process.
	pages := web.New(web.Options{Hubs: s.hubs, API: r, Logger: s.log, OnionAddress: s.onionAddress})
	r.Route("/hubs/{hub}", func(r chi.Router) {
		r.Use(s.withHubPages(pages))
		r.Mount("/", pages)
		r.Get("/recipients.txt", s.handle(s.handleRecipientsFile))
		r.Get("/manifest.json", s.handle(s.handleManifest))
		r.Get("/manifests/{epoch}", s.handle(s.handleManifest))
		r.Get("/bulletins", s.handle(s.handleBulletinFeed))
		r.Get("/bulletins/{file}", s.handle(s.handleBulletinFile))
	})

	r.Route("/api/v1/hubs/{hub}", func(r chi.Router) {
		r.Use(s.withHub)
		r.Get("/", s.handle(s.handleHubInfo))
		r.Get("/pow", s.handle(s.handlePoW))
		r.With(s.requirePoW, s.admit(newSubmission)).Post("/submissions", s.handle(s.handleSubmit))
		r.Post("/auth/challenge", s.handle(s.handleChallenge))
		r.Post("/auth/token", s.handle(s.handleToken))
		r.Get("/manifests", s.handle(s.handleManifestList))
		// A defender's conversation, authenticated by the thread token.
		r.Get("/thread", s.handle(s.showThread(s.defenderThread)))
		r.Delete("/thread", s.handle(s.deleteThread(s.defenderThread)))
		r.Get("/thread/messages/{id}", s.handle(s.handleDefenderMessage))
		r.With(s.requirePoW, s.admit(defenderUpload)).Post("/thread/messages", s.handle(s.addToThread(s.defenderThread, wire.KindFollowup, 0, wire.EventFollowupReceived)))
		// Check-ins (dead-man timers), authenticated by their codes.
		r.With(s.requirePoW, s.admit(defenderUpload)).Post("/checkins", s.handle(s.handleArmCheckin))
		r.Post("/checkin", s.handle(s.handleCheckin))
		r.Post("/checkin/stop", s.handle(s.handleStopCheckin))
		r.Post("/manifests", s.handle(s.handlePublishManifest))
		// Bulletins: the admin key's signature is the authority.
		r.Get("/bulletins", s.handle(s.handleBulletinList))
		r.Post("/bulletins", s.handle(s.handlePublishBulletin))
		// Forms: the admin key's signature is the authority too.
		r.Get("/forms", s.handle(s.handleFormList))
		r.Post("/forms", s.handle(s.handlePublishForm))
		r.Get("/forms/{id}", s.handle(s.handleForm))
		r.Get("/forms/{id}/{version}", s.handle(s.handleForm))

		r.Group(func(r chi.Router) {
			r.Use(s.requireResponder)
			r.Post("/auth/logout", s.handle(s.handleLogout))
			r.Get("/submissions", s.handle(s.handleList))
			r.Get("/case-settings", s.handle(s.handleGetHubRecord))
			r.Put("/case-settings", s.handle(s.handlePutHubRecord))
			r.Get("/epochs", s.handle(s.handleEpochs))
			r.Get("/audit", s.handle(s.handleAudit))
			r.Get("/events", s.handle(s.handleEvents))
			r.Get("/alarms", s.handle(s.handleAlarms))
			r.Post("/alarms/{id}/ack", s.handle(s.handleAck))
			// Everything of one case: refused to responders outside its
			// restriction, if it has one (restriction_handlers.go).
			r.Group(func(r chi.Router) {
				r.Use(s.guardCase)
				r.Get("/submissions/{id}", s.handle(s.handleDownload))
				r.Put("/submissions/{id}/status", s.handle(s.handleSetStatus))
				r.Delete("/submissions/{id}", s.handle(s.handleDelete))
				// Case records: ciphertext, a version and an hour (case_handlers.go).
				r.Get("/submissions/{id}/case", s.handle(s.handleGetCase))
				r.Put("/submissions/{id}/case", s.handle(s.handlePutCase))
				r.Get("/submissions/{id}/restriction", s.handle(s.handleGetRestriction))
				r.Put("/submissions/{id}/restriction", s.handle(s.handlePutRestriction))
				r.Delete("/submissions/{id}/restriction", s.handle(s.handleDeleteRestriction))
				r.With(s.admit(responderUpload)).Put("/submissions/{id}/ciphertext", s.handle(s.handleReplaceCiphertext))
				r.Get("/threads/{id}", s.handle(s.showThread(s.responderThread)))
				// A reply is encrypted to the epoch's recipients (so colleagues
				// can read the conversation; a restricted case's: its
				// responders') and to exactly one more, the defender's reply key.
				r.With(s.admit(responderUpload)).Post("/threads/{id}/replies", s.handle(s.addToThread(s.responderThread, wire.KindReply, 1, "")))
				r.Delete("/threads/{id}", s.handle(s.deleteThread(s.responderThread)))
			})
		})
	})
	return r
}
