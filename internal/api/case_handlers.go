package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"difesa.org/difesa/internal/ageformat"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/notify"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// Case records (docs/api.md, "Case records"): age files to the hub's
// current recipients, replaced by compare-and-swap on their version. The
// server checks that a record is a well-formed age file for the hub's
// recipients and learns nothing else of it.

var (
	errNoCase          = apiError(http.StatusNotFound, wire.CodeNoCase, "no case record yet: create one with If-Match: \"0\"")
	errVersionRequired = apiError(http.StatusPreconditionRequired, wire.CodeVersionRequired, "a write must say which version it replaces, with If-Match: \"VERSION\" (\"0\" to create the record)")
	errBadVersion      = apiError(http.StatusBadRequest, wire.CodeBadVersion, "If-Match must be one version in double quotes, such as \"3\"")
)

func (s *Server) handleGetCase(w http.ResponseWriter, r *http.Request) error {
	id, err := submissionID(r)
	if err != nil {
		return err
	}
	rec, err := s.store.Case(hubOf(r).ID, id)
	return writeCaseRecord(w, rec, err)
}

func (s *Server) handlePutCase(w http.ResponseWriter, r *http.Request) error {
	id, err := submissionID(r)
	if err != nil {
		return err
	}
	set, err := s.caseRecipients(hubOf(r), id)
	if err != nil {
		return err
	}
	return s.putRecord(w, r, set, wire.MaxCaseRecordSize, wire.EventCaseChanged, id.String(),
		func(h *hub.Hub, base uint64, ct []byte, by string) (store.CaseRecord, error) {
			return s.store.PutCase(h.ID, id, base, ct, h.Epoch(), h.RoundTime(s.now()), by)
		})
}

func (s *Server) handleGetHubRecord(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.store.HubRecord(hubOf(r).ID)
	return writeCaseRecord(w, rec, err)
}

func (s *Server) handlePutHubRecord(w http.ResponseWriter, r *http.Request) error {
	return s.putRecord(w, r, hubOf(r).Current(), wire.MaxHubRecordSize, wire.EventHubCaseChanged, "",
		func(h *hub.Hub, base uint64, ct []byte, by string) (store.CaseRecord, error) {
			return s.store.PutHubRecord(h.ID, base, ct, h.Epoch(), h.RoundTime(s.now()), by)
		})
}

// writeCaseRecord answers a GET of a record: its ciphertext, its version
// as the ETag and the hour of its last write.
func writeCaseRecord(w http.ResponseWriter, rec store.CaseRecord, err error) error {
	if errors.Is(err, store.ErrNoCase) {
		return errNoCase
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", wire.MediaTypeAge)
	w.Header().Set("Content-Length", strconv.Itoa(len(rec.Ciphertext)))
	w.Header().Set("ETag", formatVersion(rec.Version))
	w.Header().Set(wire.HeaderCaseUpdated, rec.Updated.UTC().Format(time.RFC3339))
	w.Header().Set(wire.HeaderCaseEpoch, strconv.FormatUint(rec.Epoch, 10))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(rec.Ciphertext)
	return err
}

// putRecord checks and stores a write of a record: the version it
// replaces (If-Match), then the body, at most limit bytes of an age file
// to set (the hub's current recipients, or a restricted case's), then the swap, which names the
// responder in the audit log. Connected desks get event with subject.
func (s *Server) putRecord(w http.ResponseWriter, r *http.Request, set *hub.RecipientSet, limit int, event, subject string,
	put func(h *hub.Hub, base uint64, ct []byte, by string) (store.CaseRecord, error)) error {
	h := hubOf(r)
	sess, err := s.auth.Authenticate(h, bearerOf(r))
	if err != nil {
		return err
	}
	base, err := ifMatch(r)
	if err != nil {
		return err
	}
	ct, err := readCaseRecord(w, r, set, limit)
	if err != nil {
		return err
	}
	rec, err := put(h, base, ct, responderLabel(h, sess.Recipient))
	var stale *store.StaleVersionError
	if errors.As(err, &stale) {
		w.Header().Set("ETag", formatVersion(stale.Current))
		return apiError(http.StatusConflict, wire.CodeStaleVersion,
			"the record is at version %d, not %d: fetch it again, merge and retry", stale.Current, base)
	}
	if err != nil {
		return err
	}
	n := notify.Notification{ID: store.NewID().String(), Hub: h.ID, Type: event, Count: 1}
	if subject != "" {
		n.Submissions = []string{subject}
	}
	s.events.Publish(n)
	w.Header().Set("ETag", formatVersion(rec.Version))
	return writeJSON(w, http.StatusOK, wire.CaseRecord{
		Version: rec.Version, Updated: rec.Updated.UTC().Format(time.RFC3339), Size: len(rec.Ciphertext),
	})
}

// ifMatch reads the version a write replaces: If-Match: "VERSION", one
// strong ETag ([wire.ParseVersion]).
func ifMatch(r *http.Request) (uint64, error) {
	vals := r.Header.Values("If-Match")
	if len(vals) == 0 {
		return 0, errVersionRequired
	}
	v, ok := wire.ParseVersion(strings.TrimSpace(vals[0]))
	if len(vals) > 1 || !ok {
		return 0, errBadVersion
	}
	return v, nil
}

func formatVersion(v uint64) string { return wire.FormatVersion(v) }

// readCaseRecord reads and checks a record's body: a whole age file to
// set's recipients, at most limit bytes, sent as an age file.
func readCaseRecord(w http.ResponseWriter, r *http.Request, set *hub.RecipientSet, limit int) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !acceptedUploadTypes[mt] {
		return nil, apiError(http.StatusUnsupportedMediaType, wire.CodeUnsupportedType,
			"send the record as an age file with Content-Type: %s", wire.MediaTypeAge)
	}
	tooLarge := apiError(http.StatusRequestEntityTooLarge, wire.CodeCaseTooLarge,
		"the record is larger than %d bytes, as large as this hub keeps one", limit)
	raw, err := readBody(w, r, int64(limit), tooLarge, "a case record")
	if err != nil {
		return nil, err
	}
	ar, err := ageformat.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	if err := ageformat.CheckRecipients(ar.Header(), set.Recipients()); err != nil {
		return nil, err
	}
	if _, err := io.Copy(io.Discard, ar); err != nil {
		return nil, err
	}
	return raw, nil
}
