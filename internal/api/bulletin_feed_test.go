package api_test

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/cap"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/testutil/tool"
)

const atomNS = "http://www.w3.org/2005/Atom"

// xmlNode is any element, as the shape check reads it.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []xmlNode  `xml:",any"`
}

func (n xmlNode) all(local string) []xmlNode {
	var out []xmlNode
	for _, c := range n.Children {
		if c.XMLName.Local == local {
			out = append(out, c)
		}
	}
	return out
}

func (n xmlNode) attr(local string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// atomShape lists, per element of the feed, the children it may have with
// how many times (min, max; max 0 is unbounded), and the attributes it may
// carry: the part of RFC 4287 difesa's feed uses, and its own rules on
// top (every entry has a summary, content and absolute links).
var atomShape = map[string]struct {
	children map[string][2]int
	attrs    []string
}{
	"feed": {children: map[string][2]int{"id": {1, 1}, "title": {1, 1}, "updated": {1, 1}, "author": {1, 1}, "link": {1, 0}, "entry": {0, 0}}},
	"entry": {children: map[string][2]int{"id": {1, 1}, "title": {1, 1}, "updated": {1, 1}, "published": {1, 1}, "summary": {1, 1},
		"content": {1, 1}, "category": {1, 0}, "link": {2, 0}}},
	"author":    {children: map[string][2]int{"name": {1, 1}}},
	"title":     {attrs: []string{"type", "lang"}},
	"summary":   {attrs: []string{"type", "lang"}},
	"content":   {attrs: []string{"type", "lang"}},
	"link":      {attrs: []string{"rel", "type", "href", "hreflang", "title"}},
	"category":  {attrs: []string{"term", "scheme"}},
	"id":        {},
	"updated":   {},
	"published": {},
	"name":      {},
}

// checkAtomShape checks the feed's XML against atomShape and RFC 4287's
// rules on values: ids are absolute IRIs, dates RFC 3339, text constructs
// of type text and not empty, links absolute URLs under base, every entry
// with exactly one CAP document as its alternate link.
func checkAtomShape(t *testing.T, body []byte, base string) xmlNode {
	t.Helper()
	var feed xmlNode
	if err := xml.Unmarshal(body, &feed); err != nil {
		t.Fatalf("the feed is not XML: %v", err)
	}
	var walk func(path string, n xmlNode)
	walk = func(path string, n xmlNode) {
		path += "/" + n.XMLName.Local
		shape, ok := atomShape[n.XMLName.Local]
		if n.XMLName.Space != atomNS || !ok {
			t.Errorf("%s: element {%s}%s is not part of the feed's shape", path, n.XMLName.Space, n.XMLName.Local)
			return
		}
		for _, a := range n.Attrs {
			if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
				continue
			}
			if !slices.Contains(shape.attrs, a.Name.Local) || a.Name.Space != "" && a.Name.Space != "http://www.w3.org/XML/1998/namespace" {
				t.Errorf("%s: attribute {%s}%s not allowed", path, a.Name.Space, a.Name.Local)
			}
		}
		if shape.children == nil && len(n.Children) > 0 {
			t.Errorf("%s: holds elements", path)
		}
		for name, mm := range shape.children {
			if c := len(n.all(name)); c < mm[0] || mm[1] != 0 && c > mm[1] {
				t.Errorf("%s: %d %s elements, want %d to %d", path, c, name, mm[0], mm[1])
			}
		}
		for _, c := range n.Children {
			walk(path, c)
		}
		text := strings.TrimSpace(n.Text)
		switch n.XMLName.Local {
		case "id":
			if u, err := url.Parse(text); err != nil || u.Scheme == "" {
				t.Errorf("%s: %q is not an absolute IRI", path, text)
			}
		case "updated", "published":
			if _, err := time.Parse(time.RFC3339, text); err != nil {
				t.Errorf("%s: %q is not an RFC 3339 date-time: %v", path, text, err)
			}
		case "title", "summary", "content":
			if n.attr("type") != "text" || text == "" {
				t.Errorf("%s: want non-empty text of type text, got type %q, %q", path, n.attr("type"), text)
			}
		case "link":
			href := n.attr("href")
			if u, err := url.Parse(href); err != nil || !u.IsAbs() || !strings.HasPrefix(href, base+"/") {
				t.Errorf("%s: href %q is not an absolute URL under %s", path, href, base)
			}
			if n.attr("rel") == "" {
				t.Errorf("%s: link without rel", path)
			}
		case "category":
			if n.attr("term") == "" {
				t.Errorf("%s: category without term", path)
			}
		}
	}
	walk("", feed)
	if feed.XMLName.Local != "feed" {
		t.Fatalf("the root is %s, not feed", feed.XMLName.Local)
	}
	ids := map[string]bool{}
	for i, e := range feed.all("entry") {
		id := e.all("id")[0].Text
		if ids[id] {
			t.Errorf("entry %d: id %s repeated", i+1, id)
		}
		ids[id] = true
		var caps int
		alternates := map[string]bool{}
		for _, l := range e.all("link") {
			if l.attr("rel") != "alternate" {
				continue
			}
			key := l.attr("type") + " " + l.attr("hreflang")
			if alternates[key] {
				t.Errorf("entry %d: two alternate links of type and language %q (RFC 4287 4.1.2)", i+1, key)
			}
			alternates[key] = true
			if l.attr("type") == cap.MediaType && strings.HasSuffix(l.attr("href"), ".xml") {
				caps++
			}
		}
		if caps != 1 {
			t.Errorf("entry %d: %d alternate links to a CAP document, want 1", i+1, caps)
		}
		pub, _ := time.Parse(time.RFC3339, e.all("published")[0].Text)
		upd, _ := time.Parse(time.RFC3339, e.all("updated")[0].Text)
		if upd.Before(pub) {
			t.Errorf("entry %d: updated before published", i+1)
		}
	}
	return feed
}

// getFeed fetches hub's feed with the request's Host set to host (if not
// empty) and Accept-Language to lang.
func getFeed(t *testing.T, b *bulletinServer, hub, host, lang string) []byte {
	t.Helper()
	req, err := http.NewRequest("GET", b.srv.URL+"/hubs/"+hub+"/bulletins", nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("feed: %d %v\n%s", resp.StatusCode, err, body)
	}
	if v := resp.Header.Get("Vary"); v != "Accept-Language" {
		t.Errorf("feed Vary %q: its text depends on Accept-Language", v)
	}
	return body
}

// publishStory publishes an alert, its update, another alert and its
// cancel (without an info block) to hub it.
func publishStory(t *testing.T, b *bulletinServer) (first, update *cap.Alert) {
	t.Helper()
	sk := b.it.AdminKey
	first = testserver.NewAlert("difesa-it", "it-2026-001", "Alert")
	first.Infos[0].Instruction = "Cambiate strada."
	b.mustPublish(t, "it", sk, first)
	update = testserver.NewAlert("difesa-it", "it-2026-002", "Update", testserver.RefTo(first))
	update.Sent = "2026-11-24T08:00:00-00:00"
	update.Infos[1].Description = ""
	b.mustPublish(t, "it", sk, update)
	other := testserver.NewAlert("difesa-it", "it-2026-003", "Alert")
	other.Infos = other.Infos[1:]
	other.Infos[0].Language = ""
	b.mustPublish(t, "it", sk, other)
	cancel := testserver.NewAlert("difesa-it", "it-2026-004", "Cancel", testserver.RefTo(other))
	cancel.Infos = nil
	b.mustPublish(t, "it", sk, cancel)
	return first, update
}

// TestBulletinFeedShape checks the feed's XML against the shape of an
// Atom feed (RFC 4287) and, with xmllint, that it is well-formed; every
// entry has absolute links, the headline and description, and the CAP
// document's sent as published and updated.
func TestBulletinFeedShape(t *testing.T) {
	t.Parallel()
	b := newBulletinServer(t)
	first, update := publishStory(t, b)
	body := getFeed(t, b, "it", "", "")
	feed := checkAtomShape(t, body, b.srv.URL)

	xmllint := tool.Need(t, "xmllint", "apt-get install libxml2-utils")
	file := filepath.Join(t.TempDir(), "feed.xml")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xmllint, "--noout", "--nonet", file).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("xmllint: %v\n%s", err, out)
	}

	entries := feed.all("entry")
	if len(entries) != 4 {
		t.Fatalf("%d entries, want 4:\n%s", len(entries), body)
	}
	text := func(e xmlNode, name string) string {
		if n := e.all(name); len(n) == 1 {
			return n[0].Text
		}
		return ""
	}
	// Newest first: the cancel, the other alert, the update, the first.
	in := first.Infos[0]
	if e := entries[3]; text(e, "title") != in.Headline || text(e, "summary") != in.Headline+"\n\n"+in.Description ||
		text(e, "content") != in.Headline+"\n\n"+in.Description+"\n\n"+in.Instruction ||
		text(e, "published") != first.Sent || text(e, "updated") != first.Sent || e.all("title")[0].attr("lang") != "it-IT" {
		t.Errorf("first entry:\n%s", body)
	}
	if e := entries[2]; text(e, "published") != "2026-11-24T08:00:00-00:00" || text(e, "updated") != update.Sent {
		t.Errorf("update entry: the times are not CAP's sent as written:\n%s", body)
	}
	if e := entries[0]; text(e, "title") != "Cancel it-2026-004" || text(e, "summary") != "Cancel it-2026-004" {
		t.Errorf("cancel entry without info:\n%s", body)
	}
	if e := entries[0]; !strings.Contains(text(e, "content"), "references: difesa-it,it-2026-003,") {
		t.Errorf("cancel entry without info does not name what it cancels:\n%s", body)
	}
	links := map[string]string{}
	for _, l := range entries[3].all("link") {
		links[l.attr("rel")+" "+l.attr("type")] = l.attr("href")
	}
	if links["alternate application/cap+xml"] != b.srv.URL+"/hubs/it/bulletins/1.xml" || links["related application/octet-stream"] != b.srv.URL+"/hubs/it/bulletins/1.sig" {
		t.Errorf("entry links %v", links)
	}
	// The links lead to the document and signature.
	if r := do(t, "GET", links["alternate application/cap+xml"], "", "", nil); r.status != 200 || r.header.Get("Content-Type") != cap.MediaType {
		t.Errorf("GET alternate link: %d %s", r.status, r.header.Get("Content-Type"))
	}
}

// TestBulletinFeedLinks checks where the feed's links point: the
// configured address matching the request's Host, else public_url, else
// onion_address, else the request's own address.
func TestBulletinFeedLinks(t *testing.T) {
	t.Parallel()
	const (
		public = "https://hub.example.org/difesa"
		onion  = "http://abcdefghijklmnopabcdefghijklmnopabcdefghijklmnopabcd.onion"
	)
	for _, tt := range []struct {
		name          string
		public, onion string
		host          string
		want          string
	}{
		{"nothing configured", "", "", "", ""},
		{"nothing configured, another Host", "", "", "feeds.example.net:8080", "http://feeds.example.net:8080"},
		{"public_url", public + "/", "", "", public},
		{"public_url with a query", "https://Hub.Example.org/difesa/?x=1#y", "", "", public},
		{"public_url, request to it", public, "", "hub.example.org", public},
		{"onion_address", "", onion, "", onion},
		{"both, request over the onion service", public, onion, strings.TrimPrefix(onion, "http://"), onion},
		{"both, request over the clear web", public, onion, "HUB.example.org", public},
		{"both, request to another name", public, onion, "evil.example", public},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newBulletinServerWith(t, bulletinNow, api.Options{PublicURL: tt.public, OnionAddress: tt.onion})
			b.mustPublish(t, "it", b.it.AdminKey, testserver.NewAlert("difesa-it", "it-2026-001", "Alert"))
			want := tt.want
			if want == "" {
				want = b.srv.URL
			}
			body := getFeed(t, b, "it", tt.host, "")
			feed := checkAtomShape(t, body, want)
			for _, l := range append(feed.all("link"), feed.all("entry")[0].all("link")...) {
				if !strings.HasPrefix(l.attr("href"), want+"/hubs/it/") {
					t.Errorf("link %s, want it under %s/hubs/it/", l.attr("href"), want)
				}
			}
		})
	}
}

// TestBulletinFeedLinksOverTLS checks that, with no address configured, a
// feed fetched over TLS links with https.
func TestBulletinFeedLinksOverTLS(t *testing.T) {
	t.Parallel()
	b := newBulletinServer(t)
	b.mustPublish(t, "it", b.it.AdminKey, testserver.NewAlert("difesa-it", "it-2026-001", "Alert"))
	tlsSrv := httptest.NewTLSServer(b.srv.Config.Handler)
	t.Cleanup(tlsSrv.Close)
	resp, err := tlsSrv.Client().Get(tlsSrv.URL + "/hubs/it/bulletins")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(tlsSrv.URL, "https://") {
		t.Fatalf("feed over TLS: %d %v", resp.StatusCode, err)
	}
	checkAtomShape(t, body, tlsSrv.URL)
}

// TestBulletinFeedLanguage checks that entries are in the language the
// request asks for, when the bulletin has it.
func TestBulletinFeedLanguage(t *testing.T) {
	t.Parallel()
	b := newBulletinServer(t)
	a := testserver.NewAlert("difesa-it", "it-2026-001", "Alert")
	b.mustPublish(t, "it", b.it.AdminKey, a)
	for _, tt := range []struct {
		accept string
		want   cap.Info
	}{
		{"", a.Infos[0]},
		{"en-GB,it;q=0.5", a.Infos[1]},
		{"it", a.Infos[0]},
		{"de, EN", a.Infos[1]},
		{"de", a.Infos[0]},
		{"en;q=0, it;q=0.3", a.Infos[0]},
		{"en;q=0.000,*", a.Infos[0]},
	} {
		feed := checkAtomShape(t, getFeed(t, b, "it", "", tt.accept), b.srv.URL)
		e := feed.all("entry")[0]
		if got := e.all("title")[0]; got.Text != tt.want.Headline || got.attr("lang") != tt.want.Language {
			t.Errorf("Accept-Language %q: title %q (%s), want %q (%s)", tt.accept, got.Text, got.attr("lang"), tt.want.Headline, tt.want.Language)
		}
	}
}

// TestBulletinExpiryAtInstants publishes, on a server whose clock is set
// just before each instant, a bulletin that expires at that instant: it is
// current (in the list and the feed) until the clock reaches it, and
// expired from then on, whatever the day, hour or zone.
func TestBulletinExpiryAtInstants(t *testing.T) {
	t.Parallel()
	for _, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			b := newBulletinServerWith(t, in.T.Add(-time.Second), api.Options{})
			a := testserver.NewAlert("difesa-it", "it-expiring", "Alert")
			a.Sent = cap.FormatTime(in.T.Add(-48 * time.Hour))
			for i := range a.Infos {
				a.Infos[i].Expires = cap.FormatTime(in.T)
			}
			b.mustPublish(t, "it", b.it.AdminKey, a)
			lasting := testserver.NewAlert("difesa-it", "it-lasting", "Alert")
			for i := range lasting.Infos {
				lasting.Infos[i].Expires = ""
			}
			b.mustPublish(t, "it", b.it.AdminKey, lasting)

			state := func() string {
				l := b.list(t, "it")
				feed := checkAtomShape(t, getFeed(t, b, "it", "", ""), b.srv.URL)
				var cats []string
				for _, c := range feed.all("entry")[1].all("category") {
					if c.attr("scheme") == "" {
						cats = append(cats, c.attr("term"))
					}
				}
				return fmt.Sprintf("list expired=%v/%v feed %v", l[1].Expired, l[0].Expired, cats)
			}
			if got, want := state(), "list expired=false/false feed []"; got != want {
				t.Errorf("a second before it expires: %s, want %s", got, want)
			}
			b.clock.Set(in.T)
			if got, want := state(), "list expired=true/false feed [expired]"; got != want {
				t.Errorf("when it expires: %s, want %s", got, want)
			}
			if l := b.list(t, "it"); l[1].Expires != cap.FormatTime(in.T.UTC()) && l[1].Expires != a.Infos[0].Expires {
				t.Errorf("listed expiry %s, want %s", l[1].Expires, a.Infos[0].Expires)
			}
		})
	}
}
