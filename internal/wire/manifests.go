package wire

// ManifestInfo is one entry of GET /api/v1/hubs/{hub}/manifests.
type ManifestInfo struct {
	Epoch uint64 `json:"epoch"`
	// Hash is the hex SHA-256 of the manifest's exact bytes.
	Hash string `json:"hash"`
	// Published is the hour the server accepted it, RFC 3339 UTC.
	Published string `json:"published"`
}

// ManifestList answers GET /api/v1/hubs/{hub}/manifests, oldest first.
type ManifestList struct {
	Current   uint64         `json:"current"`
	Manifests []ManifestInfo `json:"manifests"`
}

// ManifestPublished answers POST /api/v1/hubs/{hub}/manifests with 201.
type ManifestPublished struct {
	Epoch uint64 `json:"epoch"`
}

// EpochCounts answers GET /api/v1/hubs/{hub}/epochs: how many submissions
// are still addressed to each epoch (keys are decimal epochs).
type EpochCounts struct {
	Current     uint64         `json:"current"`
	Submissions map[string]int `json:"submissions"`
}

// AuditEvent is one entry of a hub's audit log. Time is the hour.
type AuditEvent struct {
	Event      string `json:"event"`
	Time       string `json:"time"`
	Epoch      uint64 `json:"epoch,omitempty"`
	Submission string `json:"submission,omitempty"`
	Bulletin   uint64 `json:"bulletin,omitempty"`
	// Form is ID/VERSION of a published form.
	Form string `json:"form,omitempty"`
	// Alarm and By name an acknowledged alarm and the label of the
	// responder who acknowledged it (never the note).
	Alarm string `json:"alarm,omitempty"`
	By    string `json:"by,omitempty"`
}

// AuditLog answers GET /api/v1/hubs/{hub}/audit?after=CURSOR&limit=N: up
// to N events (default [DefaultPageSize], at most [MaxPageSize]) after
// CURSOR, oldest first.
type AuditLog struct {
	Events []AuditEvent `json:"events"`
	// Next is the cursor of the next page, and, once More is false, the
	// cursor from which to read later events.
	Next string `json:"next"`
	// More reports whether events follow Next now.
	More bool `json:"more"`
}

// Audit event names.
const (
	EventManifestPublished = "manifest.published"
	EventSubmissionRekeyed = "submission.rekeyed"
	EventSubmissionDeleted = "submission.deleted"
)

// Error codes of the manifest and epoch endpoints.
const (
	CodeBadManifest    = "bad_manifest"    // 400 malformed manifest or transport
	CodeBadSignature   = "bad_signature"   // 422 not signed by the hub's admin key
	CodeWrongHub       = "wrong_hub"       // 422 the manifest names another hub
	CodeEpochNotNext   = "epoch_not_next"  // 409 rollback, replay or gap
	CodeBrokenChain    = "broken_chain"    // 409 previous is not the current manifest's hash
	CodeStaleEpoch     = "stale_epoch"     // 409 encrypted to an epoch past its grace period
	CodeUnknownEpoch   = "unknown_epoch"   // 409 the hub never had this epoch
	CodeAlreadyCurrent = "already_current" // 409 rekey of a submission already at that epoch
)
