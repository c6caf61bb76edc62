package api

import (
	"errors"

	"filippo.io/age"
	"io"
	"mime"
	"net/http"
	"strconv"
	"sync"

	"difesa.org/difesa/internal/ageformat"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// Kinds of submission the API accepts. The kind is the one thing a defender
// tells the server in clear.
// Each kind has the notification event its arrival raises; urgent ones are
// delivered at once, the others batched (internal/notify).
var submissionKinds = map[string]struct {
	event  string
	urgent bool
}{
	wire.KindReport: {wire.EventReportReceived, false},
	wire.KindAlert:  {wire.EventAlertReceived, true},
}

// acceptedUploadTypes are the Content-Types an age file may be sent with.
var acceptedUploadTypes = map[string]bool{
	wire.MediaTypeAge:          true,
	"application/octet-stream": true,
	"text/plain":               true, // ASCII-armored files
}

var chunkPool = sync.Pool{New: func() any { b := make([]byte, store.ChunkSize); return &b }}

func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	kind := r.URL.Query().Get("kind")
	if kind == "" {
		kind = "report"
	}
	note, ok := submissionKinds[kind]
	if !ok {
		return apiError(http.StatusBadRequest, wire.CodeBadRequest, "unknown submission kind %q (report or alert)", kind)
	}
	set, err := s.declaredEpoch(r, h)
	if err != nil {
		return err
	}
	opening, err := openingVerifier(r)
	if err != nil {
		return err
	}
	if opening != nil {
		if err := s.checkOpening(h.ID, *opening); err != nil {
			return err
		}
	}
	up := s.store.NewUpload(h.ID)
	if opening != nil {
		up.OpenThread(*opening)
	}
	up.Notify(store.Event{Type: note.event, Urgent: note.urgent})
	if kind == wire.KindAlert {
		// Opened in the commit's transaction: an alert is never stored
		// without its alarm.
		up.OpenAlarm(store.AlarmAlert)
	}
	sub, err := s.receive(w, r, h, set, 0, up, store.Submission{
		Kind:     kind,
		Received: h.RoundTime(s.now()),
		Status:   wire.StatusNew,
	})
	if err != nil {
		return err
	}
	s.kickNotifier()
	if kind == wire.KindAlert {
		// The scheduler notes the new alarm now, so that its escalation
		// counts from it, not from its next pass (up to a minute later).
		s.pokeCheckins()
	}
	return writeJSON(w, http.StatusCreated, wire.SubmissionCreated{
		ID: sub.ID.String(), Hub: sub.Hub, Kind: sub.Kind, Size: sub.Size,
	})
}

// handleReplaceCiphertext swaps in a re-encryption of a submission to the
// current epoch (rekey), or, within it, to a restricted case's responders
// or back to the whole hub's. The old ciphertext stays until the swap
// commits.
func (s *Server) handleReplaceCiphertext(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	id, err := submissionID(r)
	if err != nil {
		return err
	}
	set, err := s.declaredEpoch(r, h)
	if err != nil {
		return err
	}
	if set != h.Current() {
		return apiError(http.StatusConflict, wire.CodeStaleEpoch, "re-encrypt to the current epoch %d", h.Epoch())
	}
	old, err := s.store.Submission(h.ID, id)
	if err != nil {
		return err
	}
	// A restricted case's blobs go to its responders only.
	if set, err = s.caseRecipients(h, id); err != nil {
		return err
	}
	extra := 0
	if old.Kind == wire.KindReply {
		extra = 1 // the defender's reply key stays a recipient
	}
	sub, err := s.receive(w, r, h, set, extra, s.store.NewReplacement(h.ID, id), store.Submission{})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, wireSubmission(sub))
}

// declaredEpoch returns the recipients the upload says it is encrypted to:
// those of ?epoch=N, or the current ones when it says nothing (a stock age
// user encrypting to recipients.txt).
func (s *Server) declaredEpoch(r *http.Request, h *hub.Hub) (*hub.RecipientSet, error) {
	e := r.URL.Query().Get("epoch")
	if e == "" {
		return h.Current(), nil
	}
	epoch, err := strconv.ParseUint(e, 10, 64)
	if err != nil {
		return nil, apiError(http.StatusBadRequest, wire.CodeBadRequest, "epoch must be a whole number")
	}
	return h.RecipientsAt(epoch, s.now())
}

// receive streams an age file from the request into up, checking it
// against set (plus extra recipients of the same kind, for replies) on the
// way, and commits it with the facts in sub.
func (s *Server) receive(w http.ResponseWriter, r *http.Request, h *hub.Hub, set *hub.RecipientSet, extra int, up *store.Upload, sub store.Submission) (_ store.Submission, err error) {
	defer func() {
		if err := up.Abort(); err != nil {
			s.log.Error("abort upload", "err", err)
		}
		if err != nil {
			// A refused upload's body may be partly unread: answer at
			// once and close, rather than have net/http read up to
			// 256 KiB more of it before it sends the answer.
			w.Header().Set("Connection", "close")
		}
	}()
	t := ticketOf(r) // the hub's quotas, if they apply (admission.go)
	up.LimitStored(t.quota)
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !acceptedUploadTypes[mt] {
		return sub, apiError(http.StatusUnsupportedMediaType, wire.CodeUnsupportedType,
			"send the age file with Content-Type: %s", wire.MediaTypeAge)
	}
	// Armor makes a file about 37% larger; allow for it on the wire and hold
	// the binary size to the hub's limit below.
	rawLimit := h.MaxSubmissionSize + h.MaxSubmissionSize/2 + ageformat.MaxHeaderSize
	tooLarge := apiError(http.StatusRequestEntityTooLarge, wire.CodeTooLarge,
		"the submission is larger than this hub accepts (%d bytes)", h.MaxSubmissionSize)
	if r.ContentLength > rawLimit {
		return sub, tooLarge
	}
	body := newIdleReader(http.MaxBytesReader(w, r.Body, rawLimit), w, s.uploadIdle)

	ar, err := ageformat.NewReader(body)
	if err != nil {
		return sub, err
	}
	if err := ageformat.CheckRecipients(ar.Header(), s.withExtra(set, extra)); err != nil {
		return sub, err
	}
	sub.Epoch, sub.Recipients = set.Epoch, set.Fingerprint()

	bufp := chunkPool.Get().(*[]byte)
	defer chunkPool.Put(bufp)
	buf := *bufp
	for {
		n, err := io.ReadFull(ar, buf)
		if ar.Size() > h.MaxSubmissionSize {
			return sub, tooLarge
		}
		if err := t.room(s.store, h.ID, ar.Size()); err != nil {
			return sub, err
		}
		switch {
		case err == nil:
			if err := up.WriteChunk(buf); err != nil {
				return sub, err
			}
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			committed, err := up.Commit(buf[:n], sub)
			t.kept = err == nil
			return committed, err
		default:
			return sub, err
		}
	}
}

// withExtra returns set's recipients plus n stand-ins of the same kind:
// the policy only compares stanza types and counts.
func (s *Server) withExtra(set *hub.RecipientSet, n int) []age.Recipient {
	rs := set.Recipients()
	standIn := s.decoys.hybrid
	if len(rs) > 0 {
		if _, pq := rs[0].(*age.HybridRecipient); !pq {
			standIn = s.decoys.classic
		}
	}
	for range n {
		rs = append(rs, standIn)
	}
	return rs
}
