package wire

// HubInfo answers GET /api/v1/hubs/{hub}: what a submitter needs to know
// about a hub before uploading.
type HubInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Recipients are the hub's current age recipients, as in recipients.txt.
	Recipients []string `json:"recipients"`
	// MaxSubmissionSize is the largest stored (binary) age file the hub
	// accepts, in bytes.
	MaxSubmissionSize int64 `json:"max_submission_size"`
}
