package wire

// Case records (docs/api.md, "Case records"): shared case state, held by
// the server as age ciphertext only. Each submission may have one case
// record, and each hub one hub record (its label set and sub-statuses).
// The server keeps the ciphertext, a version and the hour of the last
// change; it never sees what a record says.

// CaseRecord is what the server knows about a case record or the hub
// record. It answers a successful PUT …/case and PUT …/case-settings.
type CaseRecord struct {
	// Version counts the writes: 1 after the first, and so on. A write
	// names the version it replaces (0 to create the record).
	Version uint64 `json:"version"`
	// Updated is the hour (or the hub's coarser granularity) of the last
	// write, RFC 3339 UTC.
	Updated string `json:"updated"`
	// Size is the length of the ciphertext in bytes.
	Size int `json:"size"`
}

// Case record headers. A GET answers with the version as a strong ETag
// ("VERSION") and the hour of the last change in HeaderCaseUpdated; a PUT
// must carry If-Match: "BASE", BASE being the version it replaces ("0" to
// create the record). A stale write is refused with 409
// [CodeStaleVersion] and the current version in the ETag header.
const (
	HeaderCaseUpdated = "Difesa-Case-Updated"
	// HeaderCaseEpoch is the manifest epoch a record was last written to
	// (0 if unknown), on a GET.
	HeaderCaseEpoch = "Difesa-Case-Epoch"
)

// Size limits of the ciphertexts, in bytes.
const (
	MaxCaseRecordSize = 256 << 10
	MaxHubRecordSize  = 64 << 10
)

// Event types of responders' live event streams about case records
// (GET …/events). The event carries the submission's id (empty for the
// hub record) and nothing else; desks fetch the record again.
const (
	EventCaseChanged    = "case.changed"
	EventHubCaseChanged = "case-settings.changed"
)

// Error codes of case records.
const (
	CodeStaleVersion    = "stale_version"    // 409 the record's version is not the one the write replaces; ETag has the current one
	CodeBadVersion      = "bad_version"      // 400 If-Match is not one strong ETag of a decimal version
	CodeVersionRequired = "version_required" // 428 a write without If-Match
	CodeNoCase          = "no_case"          // 404 the submission (or hub) has no case record yet
	CodeCaseTooLarge    = "case_too_large"   // 413 the ciphertext is over MaxCaseRecordSize (MaxHubRecordSize)
)
