package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strings"
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
// Links are absolute URLs, from the server's configured address or, when
// none is, the request's (see [Server.feedBase]): an entry a reader keeps
// on its own still leads to its document. Ids are urn:uuid values derived
// from the hub's admin key and the bulletin's CAP sender and identifier,
// so they stay the same wherever the feed is fetched from. Each entry's
// published and updated are the CAP document's sent, exactly as it
// writes it (CAP's date-time form is RFC 3339's): a bulletin never
// changes, an Update is an entry of its own.

// maxFeedEntries bounds the feed (and the documents parsed per request).
const maxFeedEntries = 50

const (
	// atomMediaType is the feed's Content-Type.
	atomMediaType = "application/atom+xml; charset=utf-8"
	// msgTypeScheme names the categories that carry CAP's msgType.
	msgTypeScheme = cap.Namespace + "#msgType"
	// categoryScheme names the categories that carry CAP's category.
	categoryScheme = cap.Namespace + "#category"
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
	Content    *atomText      `xml:"content,omitempty"`
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
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr,omitempty"`
	Href     string `xml:"href,attr"`
	HrefLang string `xml:"hreflang,attr,omitempty"`
	Title    string `xml:"title,attr,omitempty"`
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
	root := s.feedBase(r)
	base := root + "/hubs/" + h.ID
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
		e, sent, err := feedEntry(s.bulletins, h, b, bySeq, now, root, r)
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
	w.Header().Set("Vary", "Accept-Language") // the entries' text is in the reader's language
	w.Write([]byte(xml.Header))
	_, err = w.Write(append(out, '\n'))
	return err
}

// bulletinCacheSize bounds the checked bulletins kept in memory: more than
// the feed shows, for every hub of a small server.
const bulletinCacheSize = 512

// feedEntry describes one bulletin, after checking its document again:
// links start with base, text comes from the info block in the language
// the request asks for (see [feedInfo]).
func feedEntry(checked *cap.Cache, h *hub.Hub, b store.Bulletin, bySeq map[uint64]store.Bulletin, now time.Time, base string, r *http.Request) (atomEntry, time.Time, error) {
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
		Title:     atomText{Type: "text", Text: alert.MsgType + " " + b.Identifier},
		Updated:   alert.Sent,
		Published: alert.Sent,
		Categories: []atomCategory{
			{Term: b.MsgType, Scheme: msgTypeScheme},
		},
		Links: []atomLink{
			{Rel: "alternate", Type: cap.MediaType, Href: base + bulletinPath(h.ID, b.Seq, ".xml"), Title: "CAP 1.2 document"},
			{Rel: "related", Type: "application/octet-stream", Href: base + bulletinPath(h.ID, b.Seq, ".sig"), Title: "Ed25519 signature by the hub's admin key"},
		},
	}
	if info := feedInfo(alert, r); info != nil {
		e.Links[0].HrefLang = info.Language
		e.Title, e.Summary, e.Content = entryText(info)
		for _, c := range info.Categories {
			e.Categories = append(e.Categories, atomCategory{Term: c, Scheme: categoryScheme})
		}
	} else {
		// A Cancel may have no info block: say what it answers.
		refs := make([]string, len(alert.References))
		for i, ref := range alert.References {
			refs[i] = ref.String()
		}
		e.Summary = &atomText{Type: "text", Text: e.Title.Text}
		e.Content = &atomText{Type: "text", Text: e.Title.Text}
		if len(refs) > 0 {
			e.Content.Text += "\n\nreferences: " + strings.Join(refs, " ")
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

// entryText returns an entry's title (the headline, or else the event),
// summary (the headline and the description) and content (those and the
// instruction), in info's language.
func entryText(info *cap.Info) (title atomText, summary, content *atomText) {
	headline := info.Headline
	if headline == "" {
		headline = info.Event
	}
	text := func(parts ...string) *atomText {
		var keep []string
		for _, p := range parts {
			if p != "" {
				keep = append(keep, p)
			}
		}
		return &atomText{Type: "text", Lang: info.Language, Text: strings.Join(keep, "\n\n")}
	}
	return atomText{Type: "text", Lang: info.Language, Text: headline},
		text(headline, info.Description), text(headline, info.Description, info.Instruction)
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
