package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"time"

	"difesa.org/difesa/internal/cap"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/store"
)

// The bulletin feed, GET /hubs/{hub}/bulletins: an Atom feed (RFC 4287)
// of the hub's latest bulletins, newest first, each linking to its CAP
// document as CAP feeds do and to its signature. It is built by
// marshalling the structs below, so text from documents is always
// escaped by encoding/xml.
//
// Links are absolute paths ("/hubs/demo/bulletins/3.xml"): a reader
// resolves them against the address it fetched the feed from, so the feed
// is right over the onion service and the clear web alike, and never
// repeats the request's Host header. Ids are urn:uuid values derived from
// the hub's admin key and the bulletin's CAP sender and identifier, so
// they stay the same wherever the feed is fetched from.

// maxFeedEntries bounds the feed (and the documents parsed per request).
const maxFeedEntries = 50

const (
	// atomMediaType is the feed's Content-Type.
	atomMediaType = "application/atom+xml; charset=utf-8"
	// msgTypeScheme names the categories that carry CAP's msgType.
	msgTypeScheme = cap.Namespace + "#msgType"
)

// Terms of the state categories: an entry that expired, or that a later
// Update replaced or a later Cancel cancelled.
const (
	stateExpired   = "expired"
	stateReplaced  = "replaced"
	stateCancelled = "cancelled"
)

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   atomText    `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Categories []atomCategory `xml:"category"`
	Links      []atomLink     `xml:"link"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	Text string `xml:",chardata"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel   string `xml:"rel,attr"`
	Type  string `xml:"type,attr,omitempty"`
	Href  string `xml:"href,attr"`
	Title string `xml:"title,attr,omitempty"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
}

// handleBulletinFeed serves the Atom feed. Bulletins whose stored document
// no longer passes cap.Check are left out (and logged): the feed shows
// text from documents only after the same check their readers run.
func (s *Server) handleBulletinFeed(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	// The newest entries only: a bulletin is replaced or cancelled by a
	// newer one, so their states are all in this page.
	list, _, _, err := s.store.BulletinsBefore(h.ID, 0, maxFeedEntries)
	if err != nil {
		return err
	}
	name := h.Name
	if name == "" {
		name = h.ID
	}
	base := "/hubs/" + h.ID
	feed := atomFeed{
		ID:     feedID(h),
		Title:  atomText{Type: "text", Text: name + ": bulletins"},
		Author: atomPerson{Name: name},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: base + "/bulletins"},
			{Rel: "alternate", Type: "text/html", Href: base + "/news"},
		},
	}
	bySeq := make(map[uint64]store.Bulletin, len(list))
	for _, b := range list {
		bySeq[b.Seq] = b
	}
	now := s.now()
	var updated time.Time
	for _, b := range list { // newest first
		e, sent, err := feedEntry(s.bulletins, h, b, bySeq, now)
		if err != nil {
			s.log.Error("a stored bulletin fails its check; left out of the feed", "hub", h.ID, "seq", b.Seq, "err", err)
			continue
		}
		feed.Entries = append(feed.Entries, e)
		if sent.After(updated) {
			updated = sent
		}
		if b.Published.After(updated) {
			updated = b.Published
		}
	}
	if updated.IsZero() {
		updated = now.UTC().Truncate(time.Hour)
	}
	feed.Updated = atomTime(updated)
	out, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", atomMediaType)
	w.Write([]byte(xml.Header))
	_, err = w.Write(append(out, '\n'))
	return err
}

// bulletinCacheSize bounds the checked bulletins kept in memory: more than
// the feed shows, for every hub of a small server.
const bulletinCacheSize = 512

// feedEntry describes one bulletin, after checking its document again.
func feedEntry(checked *cap.Cache, h *hub.Hub, b store.Bulletin, bySeq map[uint64]store.Bulletin, now time.Time) (atomEntry, time.Time, error) {
	alert, err := checked.Check(b.Document)
	if err != nil {
		return atomEntry{}, time.Time{}, err
	}
	sent, err := cap.ParseTime(alert.Sent)
	if err != nil {
		return atomEntry{}, time.Time{}, err
	}
	e := atomEntry{
		ID:        bulletinID(h, b),
		Title:     atomText{Type: "text", Text: b.Identifier},
		Updated:   atomTime(sent),
		Published: atomTime(sent),
		Categories: []atomCategory{
			{Term: b.MsgType, Scheme: msgTypeScheme},
		},
		Links: []atomLink{
			{Rel: "alternate", Type: cap.MediaType, Href: bulletinPath(h.ID, b.Seq, ".xml")},
			{Rel: "related", Type: "application/octet-stream", Href: bulletinPath(h.ID, b.Seq, ".sig"), Title: "Ed25519 signature by the hub's admin key"},
		},
	}
	if len(alert.Infos) > 0 {
		info := alert.Infos[0]
		title := info.Headline
		if title == "" {
			title = info.Event
		}
		e.Title = atomText{Type: "text", Lang: info.Language, Text: title}
		if info.Description != "" {
			e.Summary = &atomText{Type: "text", Lang: info.Language, Text: info.Description}
		}
	}
	if !b.Expires.IsZero() && !now.Before(b.Expires) {
		e.Categories = append(e.Categories, atomCategory{Term: stateExpired})
	}
	if by, ok := bySeq[b.ReplacedBy]; ok {
		state := stateReplaced
		if by.MsgType == "Cancel" {
			state = stateCancelled
		}
		e.Categories = append(e.Categories, atomCategory{Term: state})
	}
	return e, sent, nil
}

// atomTime is RFC 3339 in UTC, as Atom's date constructs want.
func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// feedID and bulletinID are urn:uuid ids (version 8, RFC 9562) from
// SHA-256 over the hub's admin key and what names the feed or bulletin.
func feedID(h *hub.Hub) string {
	return uuidURN("difesa bulletin feed", h.AdminKey, h.ID)
}

func bulletinID(h *hub.Hub, b store.Bulletin) string {
	return uuidURN("difesa bulletin", h.AdminKey, b.Sender, b.Identifier)
}

func uuidURN(parts ...string) string {
	d := sha256.New()
	for _, p := range parts {
		d.Write([]byte(p))
		d.Write([]byte{0})
	}
	u := d.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x80 // version 8
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	x := hex.EncodeToString(u)
	return "urn:uuid:" + x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}
