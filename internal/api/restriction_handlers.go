package api

import (
	"errors"
	"net/http"
	"time"

	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/notify"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// Restricted cases (docs/api.md, "Restricted cases"). A case restricted
// to some responders' keys is refused to every other responder's token,
// for each of its blobs: defence in depth behind the encryption to those
// keys only, which the responders' clients do.

// errRestricted is the one answer an outsider gets for anything of a
// restricted case. 404, like an unknown submission, so that a client
// treats the case as not there for them; the code says why, which tells
// an outsider no more than the listing's count of restricted cases does
// (not its contents, not who may read it).
var errRestricted = apiError(http.StatusNotFound, wire.CodeRestricted,
	"this case is restricted to other responders of the hub")

// guardCase refuses every request about a submission ({id}) of a
// restricted case to a token whose responder is outside the restriction.
// An unknown submission goes on, for the handler to answer 404.
func (s *Server) guardCase(next http.Handler) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		h := hubOf(r)
		id, err := submissionID(r)
		if err != nil {
			return err
		}
		sess, err := s.auth.Authenticate(h, bearerOf(r))
		if err != nil {
			return err
		}
		_, rs, err := s.store.Restriction(h.ID, id)
		if errors.Is(err, store.ErrNotFound) {
			next.ServeHTTP(w, r)
			return nil
		}
		if err != nil {
			return err
		}
		if !rs.Allows(sess.Recipient) {
			return errRestricted
		}
		next.ServeHTTP(w, r)
		return nil
	})
}

// caseRecipients returns the recipients a blob of the case that
// submission id belongs to must be encrypted to: the restriction's keys
// that are still among the hub's current recipients, or, for a case that
// is not restricted, the current set itself. A restricted case none of
// whose keys is current any more has no recipients: nothing may be
// written to it (and no token may read it).
func (s *Server) caseRecipients(h *hub.Hub, id store.ID) (*hub.RecipientSet, error) {
	_, rs, err := s.store.Restriction(h.ID, id)
	if err != nil {
		return nil, err
	}
	return subsetOf(h, rs)
}

func subsetOf(h *hub.Hub, rs store.Restriction) (*hub.RecipientSet, error) {
	cur := h.Current()
	if !rs.Restricted() {
		return cur, nil
	}
	var keys []string
	for _, k := range rs.Keys {
		if _, ok := cur.Has(k); ok {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, errRestricted
	}
	return hub.NewRecipientSet(cur.Epoch, keys)
}

func (s *Server) handleGetRestriction(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	id, err := submissionID(r)
	if err != nil {
		return err
	}
	_, rs, err := s.store.Restriction(h.ID, id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", formatVersion(rs.Version))
	return writeJSON(w, http.StatusOK, wireRestriction(rs))
}

// handlePutRestriction restricts a case to the keys of the body (or
// changes its restriction), if the restriction is at the version of
// If-Match. The keys must be current recipients of the hub, and the
// responder who sends it one of them: nobody restricts a case away from
// themself by mistake. Only a responder the case is not restricted from
// gets here (guardCase).
func (s *Server) handlePutRestriction(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	id, err := submissionID(r)
	if err != nil {
		return err
	}
	sess, err := s.auth.Authenticate(h, bearerOf(r))
	if err != nil {
		return err
	}
	base, err := ifMatch(r)
	if err != nil {
		return err
	}
	raw, err := readBody(w, r, wire.MaxRestrictionSize,
		apiError(http.StatusRequestEntityTooLarge, wire.CodeTooLarge, "a restriction is at most %d bytes", wire.MaxRestrictionSize), "a restriction")
	if err != nil {
		return err
	}
	keys, err := wire.ParseRestrictionChange(raw)
	if err != nil {
		return apiError(http.StatusBadRequest, wire.CodeBadRestriction, "%v", err)
	}
	self := false
	for i, k := range keys {
		if _, ok := h.HasRecipient(k); !ok {
			return apiError(http.StatusBadRequest, wire.CodeBadRestriction,
				"key #%d of the sorted list is not one of the hub's current recipients (epoch %d)", i+1, h.Epoch())
		}
		self = self || k == sess.Recipient
	}
	if !self {
		return apiError(http.StatusBadRequest, wire.CodeBadRestriction,
			"the list must include your own key: a responder restricts a case to a group they are in")
	}
	return s.changeRestriction(w, h, id, base, keys, responderLabel(h, sess.Recipient))
}

// handleDeleteRestriction lifts a case's restriction, if it is at the
// version of If-Match. Only a responder among its keys gets here.
func (s *Server) handleDeleteRestriction(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	id, err := submissionID(r)
	if err != nil {
		return err
	}
	sess, err := s.auth.Authenticate(h, bearerOf(r))
	if err != nil {
		return err
	}
	base, err := ifMatch(r)
	if err != nil {
		return err
	}
	return s.changeRestriction(w, h, id, base, nil, responderLabel(h, sess.Recipient))
}

func (s *Server) changeRestriction(w http.ResponseWriter, h *hub.Hub, id store.ID, base uint64, keys []string, by string) error {
	rs, err := s.store.SetRestriction(h.ID, id, base, keys, h.RoundTime(s.now()), by)
	var stale *store.StaleVersionError
	switch {
	case errors.As(err, &stale):
		w.Header().Set("ETag", formatVersion(stale.Current))
		return apiError(http.StatusConflict, wire.CodeStaleVersion,
			"the restriction is at version %d, not %d: fetch it again and decide again", stale.Current, base)
	case errors.Is(err, store.ErrNotCase):
		return apiError(http.StatusBadRequest, wire.CodeBadRestriction,
			"this is a message of a conversation: restrict the case by the id of the submission that opened it")
	case err != nil:
		return err
	}
	s.events.Publish(notify.Notification{ID: store.NewID().String(), Hub: h.ID, Type: wire.EventCaseChanged, Count: 1, Submissions: []string{id.String()}})
	w.Header().Set("ETag", formatVersion(rs.Version))
	return writeJSON(w, http.StatusOK, wireRestriction(rs))
}

func wireRestriction(rs store.Restriction) wire.Restriction {
	out := wire.Restriction{Version: rs.Version, Keys: rs.Keys}
	if out.Keys == nil {
		out.Keys = []string{}
	}
	if rs.Version > 0 {
		out.Updated = rs.Updated.UTC().Format(time.RFC3339)
	}
	return out
}

// visibleTo filters a notification's submissions down to those the
// responder with key may see; false if it named some and none is left.
func (s *Server) visibleTo(hubID, key string, n *notify.Notification) bool {
	if len(n.Submissions) == 0 {
		return true
	}
	kept := n.Submissions[:0:0]
	for _, sid := range n.Submissions {
		if id, err := store.ParseID(sid); err == nil {
			if _, rs, err := s.store.Restriction(hubID, id); err == nil && !rs.Allows(key) {
				continue
			}
		}
		kept = append(kept, sid)
	}
	if len(kept) == 0 {
		return false
	}
	if len(kept) < len(n.Submissions) && n.Count == len(n.Submissions) {
		n.Count = len(kept)
	}
	n.Submissions = kept
	return true
}
