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

// BulletinList answers GET /api/v1/hubs/{hub}/bulletins?after=CURSOR&limit=N:
// up to N bulletins (default [DefaultPageSize], at most [MaxPageSize]),
// newest first, older than CURSOR.
type BulletinList struct {
	Bulletins []BulletinInfo `json:"bulletins"`
	// Next is the cursor of the next page (older bulletins).
	Next string `json:"next"`
	// More reports whether older bulletins follow Next.
	More bool `json:"more"`
}

// EventBulletinPublished is the audit event of a publication; its
// Bulletin field is the new bulletin's Seq.
const EventBulletinPublished = "bulletin.published"

// Error codes of POST /api/v1/hubs/{hub}/bulletins. The first nine are the
// document checks of internal/cap, whose codes they equal; all are 400
// except BulletinTooLarge (413).
const (
	CodeBulletinTooLarge   = "bulletin_too_large"       // 413 document (or body) too large
	CodeBulletinMalformed  = "bulletin_malformed"       // 400 not well-formed XML
	CodeBulletinAmbiguous  = "bulletin_ambiguous_xml"   // 400 does not survive an encoding/xml round trip
	CodeBulletinForbidden  = "bulletin_forbidden_xml"   // 400 DOCTYPE, entity, processing instruction
	CodeBulletinNamespace  = "bulletin_namespace"       // 400 root is not a CAP 1.2 alert
	CodeBulletinMissing    = "bulletin_missing_element" // 400 a required element is absent
	CodeBulletinUnexpected = "bulletin_unexpected"      // 400 an element out of order, repeated or unsupported
	CodeBulletinBadValue   = "bulletin_bad_value"       // 400 a value outside CAP's enumeration or form
	CodeBulletinBadTime    = "bulletin_bad_datetime"    // 400 a date-time not in CAP's form

	CodeBulletinBadSignature     = "bulletin_bad_signature"     // 422 not signed by this hub's admin key
	CodeBulletinWrongSender      = "bulletin_wrong_sender"      // 422 sender is not the hub's bulletin_sender
	CodeBulletinReplayed         = "bulletin_replayed"          // 409 the sender's identifier is already published
	CodeBulletinUnknownReference = "bulletin_unknown_reference" // 422 a reference names no published bulletin
)
