package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"difesa.org/difesa/internal/cap"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

// The news page, /hubs/{hub}/news: the hub's current bulletins, readable
// without JavaScript. (/hubs/{hub}/bulletins is the Atom feed.) The page
// reads the bulletin list and each document from the API in process, then
// checks every document's signature with the hub's admin key and the
// document itself with cap.Check before showing a word of it: a bulletin
// that fails either is left out and logged.

// Bounds on the page: how many bulletins of each list it shows, and the
// largest list answer it reads.
const (
	maxNewsCurrent = 20
	maxNewsEarlier = 20
	maxNewsList    = 4 << 20
)

// newsItem is one bulletin as the page shows it, in one info block's
// language.
type newsItem struct {
	Seq                       uint64
	Lang                      string // the info block's language tag, for lang=
	Headline, Event           string
	Severity, Urgency         string // translated labels
	Areas                     []string
	Description, Instruction  string
	SenderName                string
	Sent, Expires             string // for display
	Update                    bool   // an Update of earlier bulletins
	State                     string // "" (current) or a news_state_* key suffix
	DocumentURL, SignatureURL string
}

// newsView is what news.html gets: the common view and the bulletins.
type newsView struct {
	*view
	Current, Earlier []newsItem
	Unavailable      bool
	FeedURL          string
}

func (p *Pages) handleNews(w http.ResponseWriter, r *http.Request) {
	h := p.hubOf(r)
	if h == nil {
		p.render(w, r, "notfound", http.StatusNotFound, p.newView(r, nil, "notfound"))
		return
	}
	v := &newsView{view: p.newView(r, h, "news"), FeedURL: "/hubs/" + h.ID + "/bulletins"}
	if err := p.loadNews(r, h, v); err != nil {
		p.log.Error("reading bulletins for the news page", "hub", h.ID, "err", err)
		v.Unavailable = true
	}
	var buf bytes.Buffer
	if err := p.pages["news"].Execute(&buf, v); err != nil {
		p.log.Error("rendering a page", "page", "news", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeHTML(w, r, http.StatusOK, buf.Bytes())
}

// loadNews fills v with the hub's current bulletins (not expired, not
// replaced or cancelled, not themselves a Cancel) and the latest others.
func (p *Pages) loadNews(r *http.Request, h *hub.Hub, v *newsView) error {
	status, body, err := p.get(r, "/api/v1/hubs/"+h.ID+"/bulletins", maxNewsList)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("bulletin list: %d %v", status, err)
	}
	var list wire.BulletinList
	if err := json.Unmarshal(body, &list); err != nil {
		return fmt.Errorf("bulletin list: %w", err)
	}
	admin, err := manifest.ParsePublicKey(h.AdminKey)
	if err != nil {
		return fmt.Errorf("hub admin key: %w", err)
	}
	msgType := map[uint64]string{}
	for _, b := range list.Bulletins {
		msgType[b.Seq] = b.MsgType
	}
	for _, b := range list.Bulletins { // newest first
		state := ""
		switch {
		case b.ReplacedBy != 0 && msgType[b.ReplacedBy] == "Cancel":
			state = "cancelled"
		case b.ReplacedBy != 0:
			state = "replaced"
		case b.Expired:
			state = "expired"
		case b.MsgType == "Cancel":
			state = "cancel"
		}
		if (state == "" && len(v.Current) >= maxNewsCurrent) || (state != "" && len(v.Earlier) >= maxNewsEarlier) {
			continue
		}
		item, err := p.loadItem(r, admin, b, v.Lang)
		if err != nil {
			p.log.Error("a bulletin fails its checks; left off the news page", "hub", h.ID, "seq", b.Seq, "err", err)
			continue
		}
		item.State = state
		if state == "" {
			v.Current = append(v.Current, item)
		} else {
			v.Earlier = append(v.Earlier, item)
		}
	}
	return nil
}

// loadItem fetches one bulletin's document and signature, checks both, and
// describes it in the info block that best matches lang.
func (p *Pages) loadItem(r *http.Request, admin manifest.PublicKey, b wire.BulletinInfo, lang string) (newsItem, error) {
	status, doc, err := p.get(r, b.DocumentURL, cap.MaxSize)
	if err != nil || status != http.StatusOK {
		return newsItem{}, fmt.Errorf("document: %d %v", status, err)
	}
	status, sig, err := p.get(r, b.SignatureURL, 64)
	if err != nil || status != http.StatusOK {
		return newsItem{}, fmt.Errorf("signature: %d %v", status, err)
	}
	if !admin.VerifyDetached(doc, sig) {
		return newsItem{}, errors.New("the signature does not verify with the hub's admin key")
	}
	alert, err := p.bulletins.Check(doc)
	if err != nil {
		return newsItem{}, err
	}
	item := newsItem{
		Seq: b.Seq, Headline: alert.Identifier, Update: alert.MsgType == "Update",
		Sent: showTime(alert.Sent), Expires: showTime(b.Expires),
		DocumentURL: b.DocumentURL, SignatureURL: b.SignatureURL,
	}
	if info := pickInfo(alert.Infos, lang); info != nil {
		item.Lang = info.Language
		if info.Headline != "" {
			item.Headline = info.Headline
		} else if info.Event != "" {
			item.Headline = info.Event
		}
		item.Event, item.Description, item.Instruction, item.SenderName = info.Event, info.Description, info.Instruction, info.SenderName
		item.Severity = T(lang, "cap_sev_"+strings.ToLower(info.Severity))
		item.Urgency = T(lang, "cap_urg_"+strings.ToLower(info.Urgency))
		for _, a := range info.Areas {
			item.Areas = append(item.Areas, a.Desc)
		}
	}
	return item, nil
}

// pickInfo returns the info block in the page's language — comparing
// primary subtags, an empty language being CAP's default en-US — or the
// first block, or nil if there is none.
func pickInfo(infos []cap.Info, lang string) *cap.Info {
	for i := range infos {
		tag := infos[i].Language
		if tag == "" {
			tag = "en-US"
		}
		primary, _, _ := strings.Cut(tag, "-")
		if strings.EqualFold(primary, lang) {
			return &infos[i]
		}
	}
	if len(infos) > 0 {
		return &infos[0]
	}
	return nil
}

// showTime shows a CAP date-time as "2026-11-23 10:00 +01:00": the
// sender's own clock, with its offset. Unparsable text is shown as it is
// (html/template escapes it).
func showTime(s string) string {
	if s == "" {
		return ""
	}
	t, err := cap.ParseTime(s)
	if err != nil {
		return s
	}
	return t.Format("2006-01-02 15:04 -07:00")
}

// errAnswerTooLarge stops reading an in-process answer at its limit.
var errAnswerTooLarge = errors.New("web: the API's answer is over the limit")

// capture records an in-process answer up to a limit.
type capture struct {
	header http.Header
	status int
	body   bytes.Buffer
	limit  int
	over   bool
}

func (c *capture) Header() http.Header { return c.header }
func (c *capture) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}
func (c *capture) Write(b []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	if c.body.Len()+len(b) > c.limit {
		c.over = true
		return 0, errAnswerTooLarge
	}
	return c.body.Write(b)
}

// get sends a GET to the API in process and returns its answer, refusing
// one longer than limit.
func (p *Pages) get(r *http.Request, target string, limit int) (int, []byte, error) {
	if p.api == nil {
		return 0, nil, errors.New("web: no API to read from")
	}
	ctx := context.WithValue(r.Context(), chi.RouteCtxKey, (*chi.Context)(nil))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Host = r.Host
	c := &capture{header: http.Header{}, limit: limit}
	p.api.ServeHTTP(c, req)
	if c.over {
		return c.status, nil, errAnswerTooLarge
	}
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.status, c.body.Bytes(), nil
}
