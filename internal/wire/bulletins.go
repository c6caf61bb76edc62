package wire

// BulletinUpload is the body of POST /api/v1/hubs/{hub}/bulletins: a CAP
// 1.2 document's exact bytes and the hub admin key's Ed25519 signature of
// them, both as standard base64 so that no re-encoding on the way can
// change the signed bytes.
type BulletinUpload struct {
	Document  []byte `json:"document"`
	Signature []byte `json:"signature"`
}

// BulletinInfo describes one published bulletin.
type BulletinInfo struct {
	// Seq numbers the hub's bulletins from 1 in publication order; the
	// document and signature URLs are built from it.
	Seq        uint64 `json:"seq"`
	Identifier string `json:"identifier"`
	Sender     string `json:"sender"`
	Sent       string `json:"sent"`
	MsgType    string `json:"msg_type"`
	// Expires is the latest expiry of the document's info blocks, in CAP's
	// date-time form, or empty if it does not expire by itself.
	Expires string `json:"expires,omitempty"`
	Expired bool   `json:"expired"`
	// ReplacedBy is the Seq of a later Update or Cancel that references
	// this bulletin, or 0.
	ReplacedBy uint64 `json:"replaced_by,omitempty"`
	// DocumentURL and SignatureURL are paths on the server:
	// /hubs/{hub}/bulletins/{seq}.xml and /hubs/{hub}/bulletins/{seq}.sig
	// (the raw 64-byte signature).
	DocumentURL  string `json:"document_url"`
	SignatureURL string `json:"signature_url"`
}

// BulletinList answers GET /api/v1/hubs/{hub}/bulletins, newest first.
type BulletinList struct {
	Bulletins []BulletinInfo `json:"bulletins"`
}
