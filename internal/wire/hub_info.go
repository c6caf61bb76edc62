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
	// Epoch is the current manifest's epoch.
	Epoch uint64 `json:"epoch"`
	// AdminKey is the hub's admin public key (difesa-admin-ed25519:…) and
	// AdminFingerprint its fingerprint, for trust on first use; compare it
	// with the one the hub publishes out of band.
	AdminKey         string `json:"admin_key"`
	AdminFingerprint string `json:"admin_fingerprint"`
	// BulletinSender is the CAP sender every bulletin of the hub must name.
	BulletinSender string `json:"bulletin_sender"`
}
