package config

import (
	"fmt"

	"difesa.org/difesa/internal/hub"
)

// Defaults of the limits (docs/operations.md, "Limits").
const (
	// DefaultMaxConnections bounds the connections open at once: each
	// costs a goroutine and buffers, and behind Tor they all come from
	// the local tor, so the cap is the only bound there is.
	DefaultMaxConnections = 256
	// DefaultMaxConcurrentUploads bounds the uploads in progress; each
	// holds a 1 MiB buffer and a pending transaction's worth of pages
	// (64 MiB at most in all). Commits of uploads in progress share one
	// fsync (bbolt's Batch), so throughput grows with this number: at 32,
	// 64 clients got 0.59× the bare baseline's rate, at 64 they get
	// 0.99×. The same as api.DefaultMaxConcurrentUploads.
	DefaultMaxConcurrentUploads = 64
	// DefaultMaxSubmissionsPerHour is a configured hub's cap when it sets
	// none: ten a minute on average, far above what a hub receives on a
	// busy day, low enough that a flood fills the disk slowly.
	DefaultMaxSubmissionsPerHour = 600
)

// validateLimits checks the server-wide limits.
func (c *Config) validateLimits() []error {
	var errs []error
	if c.MaxConnections < 1 {
		errs = append(errs, fmt.Errorf("max_connections: %d must be at least 1 (default %d)", c.MaxConnections, DefaultMaxConnections))
	}
	if c.MaxConcurrentUploads < 1 {
		errs = append(errs, fmt.Errorf("max_concurrent_uploads: %d must be at least 1 (default %d)", c.MaxConcurrentUploads, DefaultMaxConcurrentUploads))
	} else if c.MaxConcurrentUploads > c.MaxConnections && c.MaxConnections >= 1 {
		errs = append(errs, fmt.Errorf("max_concurrent_uploads: %d is more than max_connections (%d): every upload needs a connection", c.MaxConcurrentUploads, c.MaxConnections))
	}
	return errs
}

// applyQuotas checks a hub's quotas and sets them on settings.
func applyQuotas(h Hub, settings *hub.Hub) error {
	perHour := DefaultMaxSubmissionsPerHour
	if h.MaxSubmissionsPerHour != nil {
		perHour = *h.MaxSubmissionsPerHour
	}
	if perHour < 0 {
		return fmt.Errorf("max_submissions_per_hour: %d is negative: write 0 to accept any number", perHour)
	}
	if h.MaxStoredBytes != 0 && int64(h.MaxStoredBytes) < settings.MaxSubmissionSize {
		return fmt.Errorf("max_stored_bytes: %d bytes is less than max_submission_size (%d): a submission of the largest size could never be kept; raise it, or lower max_submission_size",
			h.MaxStoredBytes, settings.MaxSubmissionSize)
	}
	settings.MaxSubmissionsPerHour, settings.MaxStoredBytes = perHour, int64(h.MaxStoredBytes)
	return nil
}
