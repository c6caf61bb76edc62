package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"difesa.org/difesa/internal/ageformat"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

var errNoAlarm = apiError(http.StatusNotFound, wire.CodeNoAlarm, "no such alarm in this hub")

// handleAlarms lists one page of the hub's alarms, open ones first.
func (s *Server) handleAlarms(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	cur, limit, err := alarmPageQuery(r)
	if err != nil {
		return err
	}
	page, next, more, err := s.store.AlarmsAfter(h.ID, cur, limit)
	if err != nil {
		return err
	}
	sess, err := s.auth.Authenticate(h, bearerOf(r))
	if err != nil {
		return err
	}
	out := wire.AlarmList{Alarms: make([]wire.Alarm, 0, len(page)), Next: formatAlarmCursor(next), More: more}
	for _, a := range page {
		wa := wireAlarm(a)
		// Every responder sees every alarm, to act on it at once; the
		// note of one about a case restricted to others is theirs only.
		if wa.Note != nil {
			if _, rs, err := s.store.Restriction(h.ID, a.Submission); err == nil && !rs.Allows(sess.Recipient) {
				wa.Note = nil
			}
		}
		out.Alarms = append(out.Alarms, wa)
	}
	return writeJSON(w, http.StatusOK, out)
}

// An alarm cursor is "RANK.SEQ" (paging.go's rules for each number):
// where the last alarm of a page stands in the listing's order.
func alarmPageQuery(r *http.Request) (*store.AlarmCursor, int, error) {
	q := r.URL.Query()
	v, ok := q["after"]
	if ok {
		q.Del("after")
		r = r.Clone(r.Context())
		r.URL.RawQuery = q.Encode()
	}
	_, limit, err := pageQuery(r)
	if err != nil || !ok {
		return nil, limit, err
	}
	bad := apiError(http.StatusBadRequest, wire.CodeBadCursor, "malformed cursor: pass the \"next\" of the previous page as it is, or nothing to start over")
	if len(v) != 1 {
		return nil, 0, bad
	}
	rank, seq, found := strings.Cut(v[0], ".")
	rk, ok1 := parseCursor([]string{rank})
	sq, ok2 := parseCursor([]string{seq})
	if !found || !ok1 || !ok2 || rk > 1 {
		return nil, 0, bad
	}
	return &store.AlarmCursor{Rank: int(rk), Seq: sq}, limit, nil
}

func formatAlarmCursor(c store.AlarmCursor) string {
	return strconv.Itoa(c.Rank) + "." + formatCursor(c.Seq)
}

func wireAlarm(a store.Alarm) wire.Alarm {
	hour := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	out := wire.Alarm{
		ID: a.ID.String(), Kind: a.Kind, Submission: a.Submission.String(), Opened: hour(a.Opened),
		State: a.State, Marks: make([]wire.AlarmMark, 0, len(a.Marks)), By: a.By, Note: a.Note, Escalated: a.Escalated,
	}
	for _, m := range a.Marks {
		out.Marks = append(out.Marks, wire.AlarmMark{Mark: m.Mark, Hour: hour(m.Hour)})
	}
	if !a.Acknowledged.IsZero() {
		out.Acknowledged = hour(a.Acknowledged)
	}
	return out
}

// handleAck acknowledges an alarm, with an optional note: an age file to
// the hub's current recipients, at most [wire.MaxAlarmNote] bytes, as the
// body (an empty body is no note). Acknowledging again answers the alarm
// as it is, unchanged.
func (s *Server) handleAck(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	id, err := store.ParseID(chi.URLParam(r, "id"))
	if err != nil {
		return errNoAlarm
	}
	sess, err := s.auth.Authenticate(h, bearerOf(r))
	if err != nil {
		return err
	}
	note, err := readNote(w, r, h)
	if err != nil {
		return err
	}
	a, first, err := s.store.Acknowledge(h.ID, id, responderLabel(h, sess.Recipient), note)
	if errors.Is(err, store.ErrNoAlarm) {
		return errNoAlarm
	}
	if err != nil {
		return err
	}
	if first {
		s.kickNotifier() // pending escalations end
	}
	return writeJSON(w, http.StatusOK, wireAlarm(a))
}

func bearerOf(r *http.Request) string {
	b, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return strings.TrimSpace(b)
}

// readNote reads and checks an acknowledgement's note: nothing, or a whole
// age file to the hub's current recipients whose payload is at most
// [wire.MaxAlarmNote] bytes.
func readNote(w http.ResponseWriter, r *http.Request, h *hub.Hub) ([]byte, error) {
	tooLarge := apiError(http.StatusRequestEntityTooLarge, wire.CodeTooLarge, "the note is larger than %d bytes", wire.MaxAlarmNote)
	raw, err := readBody(w, r, wire.MaxAlarmNoteFile, tooLarge, "a note")
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !acceptedUploadTypes[mt] {
		return nil, apiError(http.StatusUnsupportedMediaType, wire.CodeUnsupportedType,
			"send the note as an age file with Content-Type: %s", wire.MediaTypeAge)
	}
	ar, err := ageformat.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	if err := ageformat.CheckRecipients(ar.Header(), h.Recipients()); err != nil {
		return nil, err
	}
	if _, err := io.Copy(io.Discard, ar); err != nil {
		return nil, err
	}
	if ar.Size()-int64(ar.Header().Size) > wire.MaxAlarmNote {
		return nil, tooLarge
	}
	return raw, nil
}

// responderLabel is what the audit log names a responder by: the label
// the hub's manifest gives the recipient, or the start of the key's
// fingerprint when it has none.
func responderLabel(h *hub.Hub, recipient string) string {
	if set := h.Current(); set != nil && set.Signed != nil {
		if signed, err := manifest.ParseSigned(set.Signed); err == nil {
			if m, err := manifest.Parse(signed.Manifest); err == nil {
				for _, rc := range m.Recipients {
					if rc.Key == recipient && rc.Label != "" {
						return rc.Label
					}
				}
			}
		}
	}
	sum := sha256.Sum256([]byte(recipient))
	return "key " + hex.EncodeToString(sum[:6])
}
