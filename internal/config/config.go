// Package config reads difesad's configuration: one struct with documented
// defaults, read from a TOML file, then environment variables, then flags.
//
// With no file and no hubs, difesad runs the embedded demo (see
// internal/daemon): one hub whose keys are generated in the data folder.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"difesa.org/difesa/internal/checkin"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/notify"
	"difesa.org/difesa/internal/pow"
)

// Defaults.
const (
	DefaultListen  = "127.0.0.1:8080"
	DefaultDataDir = "difesa-data"
)

// Config is the whole configuration of difesad. config/difesad.example.toml
// documents every setting.
type Config struct {
	// Listen is the address to serve HTTP on, e.g. "127.0.0.1:8080".
	Listen string `toml:"listen"`
	// DataDir holds the database (and, for the demo, its keys).
	DataDir string `toml:"data_dir"`
	// TimeGranularity is the default for hubs that do not set their own.
	TimeGranularity Duration `toml:"time_granularity"`
	// LogFormat is "text" or "json"; LogLevel "debug", "info", "warn", "error".
	LogFormat string `toml:"log_format"`
	LogLevel  string `toml:"log_level"`
	// PublicURL is the server's address as people reach it (the onion
	// address in production), used for links in notifications and in the
	// bulletin feed. Default: http:// and the listen address (the feed then
	// takes the address from each request).
	PublicURL string `toml:"public_url"`
	// OnionAddress is the hub server's onion address (http://….onion),
	// announced to clear-web visitors of the pages with Onion-Location.
	OnionAddress string `toml:"onion_address"`
	// NotifyProxy is the default proxy for notifications going out, e.g.
	// "socks5h://127.0.0.1:9050", so the server never contacts a third
	// party directly; a channel's own proxy setting wins.
	NotifyProxy string `toml:"notify_proxy"`
	// AdminListen is where the admin endpoints (GET /metrics, GET /backup)
	// are served: a loopback HOST:PORT or unix:PATH. Empty (the default)
	// serves none. See [CheckAdminAddress] and docs/operations.md.
	AdminListen string `toml:"admin_listen"`
	// AdminHosts are the Host header values, besides loopback literals
	// (127.0.0.1, [::1], localhost, any port), that the admin endpoints
	// answer: "name" for any port, "name:port" for one. Any other Host is
	// refused with 421, against DNS rebinding (docs/operations.md).
	AdminHosts []string `toml:"admin_hosts"`
	// MaxConnections caps the connections open at once, and
	// MaxConcurrentUploads the uploads in progress, over all hubs
	// (limits.go, docs/operations.md).
	MaxConnections       int `toml:"max_connections"`
	MaxConcurrentUploads int `toml:"max_concurrent_uploads"`
	// PoW* ask anonymous uploads for proof of work while the server is
	// under load (pow.go, docs/pow.md).
	PoWInFlight       int `toml:"pow_in_flight"`
	PoWPerMinute      int `toml:"pow_per_minute"`
	PoWMinBits        int `toml:"pow_min_bits"`
	PoWMaxBits        int `toml:"pow_max_bits"`
	PoWFormsPerMinute int `toml:"pow_forms_per_minute"`
	// Hubs served. Empty means the embedded demo hub.
	Hubs []Hub `toml:"hub"`

	// path is the file the configuration came from, for relative paths.
	path string
}

// Hub configures one hub.
type Hub struct {
	ID   string `toml:"id"`
	Name string `toml:"name"`
	// AdminKey is the hub's admin public key (difesa-admin-ed25519:…):
	// only manifests it signed are accepted.
	AdminKey string `toml:"admin_key"`
	// ManifestFile is the hub's first signed manifest (epoch 1, JSON as
	// written by `difesa admin sign`), relative to the configuration file.
	// Later epochs are published through the API and kept in the store.
	ManifestFile      string   `toml:"manifest_file"`
	MaxSubmissionSize Size     `toml:"max_submission_size"`
	TimeGranularity   Duration `toml:"time_granularity"`
	// EpochGrace is how long submissions to a replaced epoch are still
	// accepted (default 24h).
	EpochGrace Duration `toml:"epoch_grace"`
	// MaxStoredBytes caps the ciphertext the hub holds (unset: no cap);
	// MaxSubmissionsPerHour the anonymous uploads it accepts in a rolling
	// hour (unset: [DefaultMaxSubmissionsPerHour]; 0: no cap).
	MaxStoredBytes        Size `toml:"max_stored_bytes"`
	MaxSubmissionsPerHour *int `toml:"max_submissions_per_hour"`
	// Channels notify the hub's responders, without content
	// (docs/notifications.md).
	Channels []notify.ChannelConfig `toml:"channel"`
	// DeleteClosedAfter, if set, deletes submissions with status closed
	// once they were received longer ago than this (docs/operations.md).
	DeleteClosedAfter Duration `toml:"delete_closed_after"`
	// WarnUnreadAfter, if set, logs a warning with the number of
	// submissions still new after this long.
	WarnUnreadAfter Duration `toml:"warn_unread_after"`
	// BulletinSender is the CAP sender the hub's bulletins must name
	// (default "difesa-" and the id; see [hub.CheckBulletinSender]).
	BulletinSender string `toml:"bulletin_sender"`
	// EscalateAfter is how long an alarm may stay unacknowledged before
	// it is notified again (default 10m, 1m to 24h); each later step
	// waits twice as long, for at most EscalateSteps steps (default 5,
	// at most 10). See docs/notifications.md.
	EscalateAfter Duration `toml:"escalate_after"`
	EscalateSteps int      `toml:"escalate_steps"`
}

// Escalation returns the hub's escalation settings (zero: the defaults).
func (h Hub) Escalation() checkin.Escalation {
	return checkin.Escalation{After: time.Duration(h.EscalateAfter), Steps: h.EscalateSteps}
}

// Default returns the configuration used when nothing else is given.
func Default() *Config {
	return &Config{
		Listen:               DefaultListen,
		DataDir:              DefaultDataDir,
		TimeGranularity:      Duration(hub.DefaultTimeGranularity),
		LogFormat:            "text",
		LogLevel:             "info",
		MaxConnections:       DefaultMaxConnections,
		MaxConcurrentUploads: DefaultMaxConcurrentUploads,
		PoWInFlight:          pow.DefaultPolicy.InFlight,
		PoWPerMinute:         pow.DefaultPolicy.PerMinute,
		PoWMinBits:           pow.DefaultPolicy.MinBits,
		PoWMaxBits:           pow.DefaultPolicy.MaxBits,
		PoWFormsPerMinute:    pow.DefaultPolicy.FormsPerMinute,
	}
}

// Load reads a TOML file over the defaults. Unknown keys are errors, so a
// typo never silently falls back to a default.
func Load(path string) (*Config, error) {
	c := Default()
	md, err := toml.DecodeFile(path, c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, fmt.Errorf("config: %s:%d: %s", path, perr.Position.Line, perr.Message)
		}
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		var keys []string
		for _, k := range undec {
			keys = append(keys, k.String())
		}
		return nil, fmt.Errorf("config: %s: unknown settings: %s", path, strings.Join(keys, ", "))
	}
	c.path = path
	return c, nil
}

// ApplyEnv overrides settings from DIFESA_LISTEN and DIFESA_DATA.
func (c *Config) ApplyEnv(getenv func(string) string) {
	if v := getenv("DIFESA_LISTEN"); v != "" {
		c.Listen = v
	}
	if v := getenv("DIFESA_DATA"); v != "" {
		c.DataDir = v
	}
}

// HubURL is the public address of hub id.
func (c *Config) HubURL(id string) string {
	base := c.PublicURL
	if base == "" {
		base = "http://" + c.Listen
	}
	return strings.TrimSuffix(base, "/") + "/hubs/" + id
}

// Demo reports whether the configuration runs the embedded demo hub.
func (c *Config) Demo() bool { return len(c.Hubs) == 0 }

// Validate checks every setting and returns all problems at once, each
// naming the setting to fix.
func (c *Config) Validate() error {
	var errs []error
	if c.Listen == "" {
		errs = append(errs, errors.New("listen: must not be empty"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data_dir: must not be empty"))
	}
	if c.OnionAddress != "" && (!strings.HasPrefix(c.OnionAddress, "http://") || !strings.HasSuffix(strings.TrimSuffix(c.OnionAddress, "/"), ".onion")) {
		errs = append(errs, fmt.Errorf("onion_address: %q must look like http://….onion", c.OnionAddress))
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		errs = append(errs, fmt.Errorf("public_url: %q must start with http:// or https://", c.PublicURL))
	}
	if time.Duration(c.TimeGranularity) < time.Hour {
		errs = append(errs, fmt.Errorf("time_granularity: %v is finer than one hour", time.Duration(c.TimeGranularity)))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("log_format: %q is not text or json", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log_level: %q is not debug, info, warn or error", c.LogLevel))
	}
	seen := map[string]bool{}
	for i, h := range c.Hubs {
		if seen[h.ID] {
			errs = append(errs, fmt.Errorf("hub[%d].id: %q is used twice", i, h.ID))
		}
		seen[h.ID] = true
		if _, err := c.BuildHub(h); err != nil {
			errs = append(errs, fmt.Errorf("hub[%d]: %w", i, err))
		}
		errs = append(errs, validateRetention(i, h)...)
		if err := h.Escalation().Validate(); err != nil {
			errs = append(errs, fmt.Errorf("hub[%d].%w", i, err))
		}
	}
	errs = append(errs, c.validateAdmin()...)
	errs = append(errs, c.validateLimits()...)
	errs = append(errs, c.validatePoW()...)
	return errors.Join(errs...)
}

// HubKeys is what a configured hub's keys come to: its settings, its admin
// public key, and its first signed manifest.
type HubKeys struct {
	Settings *hub.Hub
	Admin    manifest.PublicKey
	Initial  []byte
	Channels []notify.ChannelConfig
}

// BuildHub checks a hub's settings, its admin key and its first signed
// manifest, and returns them.
func (c *Config) BuildHub(h Hub) (*HubKeys, error) {
	gran := time.Duration(h.TimeGranularity)
	if gran == 0 {
		gran = time.Duration(c.TimeGranularity)
	}
	settings, err := hub.New(h.ID, h.Name, nil, int64(h.MaxSubmissionSize), gran)
	if err != nil {
		return nil, err
	}
	if h.EpochGrace != 0 {
		settings.EpochGrace = time.Duration(h.EpochGrace)
	}
	if err := applyQuotas(h, settings); err != nil {
		return nil, err
	}
	if h.BulletinSender != "" {
		if err := hub.CheckBulletinSender(h.BulletinSender); err != nil {
			return nil, fmt.Errorf("bulletin_sender: %w", err)
		}
		settings.BulletinSender = h.BulletinSender
	}
	if h.AdminKey == "" {
		return nil, errors.New("admin_key: missing: the hub's admin public key (difesa-admin-ed25519:…, from `difesa admin keygen`)")
	}
	admin, err := manifest.ParsePublicKey(h.AdminKey)
	if err != nil {
		return nil, fmt.Errorf("admin_key: %w", err)
	}
	if h.ManifestFile == "" {
		return nil, errors.New("manifest_file: missing: the hub's first manifest, signed with `difesa admin sign`")
	}
	path := h.ManifestFile
	if !filepath.IsAbs(path) && c.path != "" {
		path = filepath.Join(filepath.Dir(c.path), path)
	}
	initial, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("manifest_file: %w", err)
	}
	signed, err := manifest.ParseSigned(initial)
	if err != nil {
		return nil, fmt.Errorf("manifest_file %s: not a signed manifest (a plain recipients list must be turned into one with `difesa admin init` and signed with `difesa admin sign`): %w", h.ManifestFile, err)
	}
	if _, err := manifest.CheckFirst(signed, admin, h.ID); err != nil {
		return nil, fmt.Errorf("manifest_file %s: %w", h.ManifestFile, err)
	}
	channels := append([]notify.ChannelConfig(nil), h.Channels...)
	for i := range channels {
		if err := channels[i].ReadSecrets(filepath.Dir(c.path)); err != nil {
			return nil, fmt.Errorf("channel[%d]: %w", i, err)
		}
	}
	if err := notify.ValidateChannels(channels); err != nil {
		return nil, err
	}
	return &HubKeys{Settings: settings, Admin: admin, Initial: initial, Channels: channels}, nil
}

// ParseRecipientLines returns the non-empty, non-comment lines of an age
// recipients file.
func ParseRecipientLines(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out
}
