package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"difesa.org/difesa/internal/cap"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// Bulletins: CAP 1.2 alert documents a hub publishes to its community,
// signed by its admin key over their exact bytes (docs/bulletins.md).
// Publishing needs no token, like a manifest: only the admin key can sign
// an acceptable upload. Documents and signatures are then served exactly
// as uploaded, so anyone can check them with any Ed25519 implementation.

// maxBulletinBody caps the JSON upload: a document of cap.MaxSize in
// base64 is 4/3 of it, plus the signature and the JSON around them. A
// document between cap.MaxSize and this gets cap's own too-large answer.
const maxBulletinBody = 2 * cap.MaxSize

var (
	errBulletinNoKey        = apiError(http.StatusUnprocessableEntity, wire.CodeBulletinBadSignature, "this hub has no admin key to check bulletins against")
	errBulletinSignature    = apiError(http.StatusUnprocessableEntity, wire.CodeBulletinBadSignature, "the signature is not this hub's admin key's Ed25519 signature of the document's exact bytes")
	errBulletinTooLargeBody = apiError(http.StatusRequestEntityTooLarge, wire.CodeBulletinTooLarge, "the upload is over %d bytes; a document may have at most %d", maxBulletinBody, cap.MaxSize)
	errNoBulletin           = apiError(http.StatusNotFound, wire.CodeNotFound, "no such bulletin in this hub")
)

// capError turns a refusal of [cap.Check] into an API error with the same
// stable code: 413 for a document too large, 400 for the rest.
func capError(e *cap.Error) *wire.Error {
	status := http.StatusBadRequest
	if e.Code == cap.CodeTooLarge {
		status = http.StatusRequestEntityTooLarge
	}
	return apiError(status, e.Code, "the document is not a CAP 1.2 alert this hub accepts: %s", e.Detail)
}

// handlePublishBulletin checks an upload in a fixed order — size, JSON,
// the admin signature, the document (cap.Check), the sender, then in one
// store transaction the identifier and the references — and stores it.
func (s *Server) handlePublishBulletin(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	var up wire.BulletinUpload
	if err := readJSONMax(w, r, &up, maxBulletinBody); err != nil {
		if errors.Is(err, &wire.Error{Code: wire.CodeTooLarge}) {
			return errBulletinTooLargeBody
		}
		return err
	}
	if len(up.Document) > cap.MaxSize {
		return capError(&cap.Error{Code: cap.CodeTooLarge, Detail: "the document is larger than 64 KiB"})
	}
	// The signature first: it costs microseconds, while cap.Check of a
	// hostile 64 KiB document can cost tens of milliseconds and many
	// megabytes, and this endpoint needs no token. Only what the hub's
	// admin signed is parsed at all.
	admin, err := manifest.ParsePublicKey(h.AdminKey)
	if err != nil {
		return errBulletinNoKey
	}
	if !admin.VerifyDetached(up.Document, up.Signature) {
		return errBulletinSignature
	}
	alert, err := cap.Check(up.Document)
	if err != nil {
		var ce *cap.Error
		if errors.As(err, &ce) {
			return capError(ce)
		}
		s.log.Error("cap.Check refused a document without a *cap.Error", "err", err)
		return apiError(http.StatusBadRequest, wire.CodeBulletinMalformed, "the document is not a CAP 1.2 alert this hub accepts")
	}
	if alert.Sender != h.BulletinSender {
		return apiError(http.StatusUnprocessableEntity, wire.CodeBulletinWrongSender, "this hub's bulletins must have the sender %q", h.BulletinSender)
	}
	b := store.Bulletin{
		Document: up.Document, Signature: up.Signature,
		Identifier: alert.Identifier, Sender: alert.Sender, Sent: alert.Sent, MsgType: alert.MsgType,
	}
	if exp, ok := alert.Expires(); ok {
		b.Expires = exp
	}
	for _, ref := range alert.References {
		b.References = append(b.References, store.BulletinRef{Sender: ref.Sender, Identifier: ref.Identifier, Sent: ref.Sent})
	}
	b, err = s.store.PublishBulletin(h.ID, b)
	if err != nil {
		return err
	}
	s.log.Info("bulletin published", "hub", h.ID, "seq", b.Seq, "msg_type", b.MsgType)
	return writeJSON(w, http.StatusCreated, bulletinInfo(h.ID, b, s.now()))
}

// handleBulletinList lists one page of the hub's bulletins, newest first
// (paging.go: the cursor is the number of the last one listed).
func (s *Server) handleBulletinList(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	before, limit, err := pageQuery(r)
	if err != nil {
		return err
	}
	list, next, more, err := s.store.BulletinsBefore(h.ID, before, limit)
	if errors.Is(err, store.ErrCursorAhead) {
		return errCursorAhead
	}
	if err != nil {
		return err
	}
	now := s.now()
	out := wire.BulletinList{Bulletins: make([]wire.BulletinInfo, 0, len(list)), Next: formatCursor(next), More: more}
	for _, b := range list {
		out.Bulletins = append(out.Bulletins, bulletinInfo(h.ID, b, now))
	}
	return writeJSON(w, http.StatusOK, out)
}

func bulletinInfo(hubID string, b store.Bulletin, now time.Time) wire.BulletinInfo {
	info := wire.BulletinInfo{
		Seq: b.Seq, Identifier: b.Identifier, Sender: b.Sender, Sent: b.Sent, MsgType: b.MsgType,
		ReplacedBy:   b.ReplacedBy,
		DocumentURL:  bulletinPath(hubID, b.Seq, ".xml"),
		SignatureURL: bulletinPath(hubID, b.Seq, ".sig"),
	}
	if !b.Expires.IsZero() {
		info.Expires = cap.FormatTime(b.Expires)
		info.Expired = !now.Before(b.Expires)
	}
	return info
}

// bulletinPath is where a bulletin's document (".xml") or signature
// (".sig") is served.
func bulletinPath(hubID string, seq uint64, ext string) string {
	return "/hubs/" + hubID + "/bulletins/" + strconv.FormatUint(seq, 10) + ext
}

// bulletinCache lets clients keep a document or signature for a day: the
// bytes under a number never change. (A day, not a year: restoring an old
// backup would reuse the numbers published since.)
const bulletinCache = "public, max-age=86400, immutable"

// handleBulletinFile serves /hubs/{hub}/bulletins/N.xml, the document
// exactly as signed, and N.sig, the raw 64-byte signature.
func (s *Server) handleBulletinFile(w http.ResponseWriter, r *http.Request) error {
	name := chi.URLParam(r, "file")
	num, ext, ok := strings.Cut(name, ".")
	seq, err := strconv.ParseUint(num, 10, 64)
	if !ok || err != nil || strconv.FormatUint(seq, 10) != num || (ext != "xml" && ext != "sig") {
		return errNoRoute
	}
	b, err := s.store.Bulletin(hubOf(r).ID, seq)
	if errors.Is(err, store.ErrNotFound) {
		return errNoBulletin
	}
	if err != nil {
		return err
	}
	body, ct := b.Document, cap.MediaType
	if ext == "sig" {
		body, ct = b.Signature, "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Cache-Control", bulletinCache)
	_, err = w.Write(body)
	return err
}
