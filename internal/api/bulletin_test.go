package api_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/auth"
	"difesa.org/difesa/internal/cap"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/wire"
)

// bulletinServer runs a server with two hubs, "it" and "si", each with
// its own admin key, on a real store in a temporary folder and a clock
// the test sets.
type bulletinServer struct {
	srv    *httptest.Server
	clock  *instants.Clock
	it, si *testserver.Hub
}

// bulletinNow is where a bulletinServer's clock starts: after the sent of
// testserver.NewAlert's bulletins, before their expiry.
var bulletinNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func newBulletinServer(t *testing.T) *bulletinServer {
	t.Helper()
	return newBulletinServerWith(t, bulletinNow, api.Options{})
}

// newBulletinServerWith starts the server at now, with o's address
// settings (PublicURL, OnionAddress).
func newBulletinServerWith(t *testing.T, now time.Time, o api.Options) *bulletinServer {
	t.Helper()
	id, _ := age.GenerateHybridIdentity()
	b := &bulletinServer{clock: instants.NewClock(now),
		it: testserver.NewHub(t, "it", id.Recipient().String()), si: testserver.NewHub(t, "si", id.Recipient().String())}
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{Now: b.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var hubs []*hub.Hub
	for _, th := range []*testserver.Hub{b.it, b.si} {
		h, err := hub.New(th.Config.ID, th.Config.Name, []string{id.Recipient().String()}, 0, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		h.AdminKey, h.AdminFingerprint = th.AdminKey.Public().String(), th.AdminKey.Public().Fingerprint()
		hubs = append(hubs, h)
	}
	authSvc, err := auth.New(st, b.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	o.Store, o.Hubs, o.Auth, o.Now = st, hub.NewRegistry(hubs...), authSvc, b.clock.Now
	b.srv = httptest.NewServer(api.New(o))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *bulletinServer) api(hub string) string { return b.srv.URL + "/api/v1/hubs/" + hub }

func (b *bulletinServer) publish(t *testing.T, hub string, up wire.BulletinUpload) response {
	t.Helper()
	return postJSON(t, b.api(hub)+"/bulletins", "", up)
}

func (b *bulletinServer) list(t *testing.T, hub string) []wire.BulletinInfo {
	t.Helper()
	r := do(t, "GET", b.api(hub)+"/bulletins", "", "", nil)
	if r.status != 200 {
		t.Fatalf("bulletin list: %d %s", r.status, r.body)
	}
	var l wire.BulletinList
	if err := json.Unmarshal(r.body, &l); err != nil {
		t.Fatal(err)
	}
	return l.Bulletins
}

// mustPublish publishes a and returns what the server answered.
func (b *bulletinServer) mustPublish(t *testing.T, hub string, sk *manifest.SecretKey, a *cap.Alert) wire.BulletinInfo {
	t.Helper()
	r := b.publish(t, hub, testserver.SignBulletin(t, sk, a))
	if r.status != http.StatusCreated {
		t.Fatalf("publishing %s: %d %s", a.Identifier, r.status, r.body)
	}
	var info wire.BulletinInfo
	if err := json.Unmarshal(r.body, &info); err != nil {
		t.Fatal(err)
	}
	return info
}

// rawKey is the Ed25519 key inside an admin public key's text form.
func rawKey(t testing.TB, pk manifest.PublicKey) ed25519.PublicKey {
	t.Helper()
	k, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(pk.String(), manifest.PublicKeyPrefix))
	if err != nil || len(k) != ed25519.PublicKeySize {
		t.Fatalf("admin key %s: %v", pk, err)
	}
	return k
}

// atom is what the tests read of the feed, with encoding/xml.
type atom struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links   []atomLink `xml:"link"`
	Entries []struct {
		ID         string `xml:"id"`
		Title      string `xml:"title"`
		Updated    string `xml:"updated"`
		Published  string `xml:"published"`
		Summary    string `xml:"summary"`
		Content    string `xml:"content"`
		Categories []struct {
			Term   string `xml:"term,attr"`
			Scheme string `xml:"scheme,attr"`
		} `xml:"category"`
		Links []atomLink `xml:"link"`
	} `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

func (b *bulletinServer) feed(t *testing.T, hub string) atom {
	t.Helper()
	r := do(t, "GET", b.srv.URL+"/hubs/"+hub+"/bulletins", "", "", nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		t.Fatalf("feed: %d %s", r.status, r.header.Get("Content-Type"))
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("feed Cache-Control %q", cc)
	}
	var f atom
	if err := xml.Unmarshal(r.body, &f); err != nil {
		t.Fatalf("the feed is not Atom: %v\n%s", err, r.body)
	}
	return f
}

func hasTerm(cats []struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr"`
}, term string) bool {
	for _, c := range cats {
		if c.Term == term && c.Scheme == "" {
			return true
		}
	}
	return false
}

func TestBulletinPublishAndServe(t *testing.T) {
	t.Parallel()
	b := newBulletinServer(t)
	sk := b.it.AdminKey

	var info wire.HubInfo
	json.Unmarshal(do(t, "GET", b.api("it"), "", "", nil).body, &info)
	if info.BulletinSender != "difesa-it" {
		t.Fatalf("hub info bulletin_sender %q", info.BulletinSender)
	}
	if l := b.list(t, "it"); len(l) != 0 {
		t.Fatalf("a new hub lists %d bulletins", len(l))
	}
	if f := b.feed(t, "it"); len(f.Entries) != 0 || !strings.HasPrefix(f.ID, "urn:uuid:") || f.Updated == "" || f.Author.Name != "Hub it" {
		t.Fatalf("empty feed: %+v", f)
	}

	first := testserver.NewAlert("difesa-it", "it-2026-001", "Alert")
	up := testserver.SignBulletin(t, sk, first)
	r := b.publish(t, "it", up)
	if r.status != http.StatusCreated {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	var got wire.BulletinInfo
	json.Unmarshal(r.body, &got)
	want := wire.BulletinInfo{
		Seq: 1, Identifier: "it-2026-001", Sender: "difesa-it", Sent: first.Sent, MsgType: "Alert",
		Expires:     "2099-01-01T00:00:00+01:00",
		DocumentURL: "/hubs/it/bulletins/1.xml", SignatureURL: "/hubs/it/bulletins/1.sig",
	}
	if got != want {
		t.Fatalf("publish answered %+v, want %+v", got, want)
	}

	// The document is served byte for byte, the signature verifies.
	doc := do(t, "GET", b.srv.URL+got.DocumentURL, "", "", nil)
	if doc.status != 200 || !bytes.Equal(doc.body, up.Document) || doc.header.Get("Content-Type") != cap.MediaType {
		t.Fatalf("document: %d %s\n%s", doc.status, doc.header.Get("Content-Type"), doc.body)
	}
	if cc := doc.header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("document Cache-Control %q", cc)
	}
	sig := do(t, "GET", b.srv.URL+got.SignatureURL, "", "", nil)
	if sig.status != 200 || sig.header.Get("Content-Type") != "application/octet-stream" || len(sig.body) != ed25519.SignatureSize {
		t.Fatalf("signature: %d %s, %d bytes", sig.status, sig.header.Get("Content-Type"), len(sig.body))
	}
	if !ed25519.Verify(rawKey(t, sk.Public()), doc.body, sig.body) {
		t.Fatal("the served signature does not verify with the admin key")
	}
	if ed25519.Verify(rawKey(t, b.si.AdminKey.Public()), doc.body, sig.body) {
		t.Fatal("the served signature verifies with another hub's key")
	}
	for _, path := range []string{"/hubs/it/bulletins/2.xml", "/hubs/it/bulletins/01.xml", "/hubs/it/bulletins/1.txt", "/hubs/it/bulletins/1", "/hubs/si/bulletins/1.xml", "/hubs/nohub/bulletins/1.xml"} {
		if r := do(t, "GET", b.srv.URL+path, "", "", nil); r.status != 404 {
			t.Errorf("GET %s: %d", path, r.status)
		}
	}

	f := b.feed(t, "it")
	if len(f.Entries) != 1 {
		t.Fatalf("feed: %d entries", len(f.Entries))
	}
	e := f.Entries[0]
	if e.Title != first.Infos[0].Headline || e.Summary != first.Infos[0].Headline+"\n\n"+first.Infos[0].Description ||
		e.Updated != first.Sent || e.Published != first.Sent || !strings.HasPrefix(e.ID, "urn:uuid:") {
		t.Errorf("feed entry: %+v", e)
	}
	links := map[string]string{}
	for _, l := range e.Links {
		links[l.Rel+" "+l.Type] = l.Href
	}
	if links["alternate application/cap+xml"] != b.srv.URL+"/hubs/it/bulletins/1.xml" || links["related application/octet-stream"] != b.srv.URL+"/hubs/it/bulletins/1.sig" {
		t.Errorf("entry links: %v", links)
	}
	self := ""
	for _, l := range f.Links {
		if l.Rel == "self" {
			self = l.Href
		}
	}
	if self != b.srv.URL+"/hubs/it/bulletins" {
		t.Errorf("feed self link %q", self)
	}

	// An Update replaces the first; a Cancel cancels the update.
	update := testserver.NewAlert("difesa-it", "it-2026-002", "Update", testserver.RefTo(first))
	update.Sent = "2026-11-24T08:00:00+01:00"
	update.Infos[0].Headline = "Aggiornamento: l'auto è tornata"
	b.mustPublish(t, "it", sk, update)
	cancel := testserver.NewAlert("difesa-it", "it-2026-003", "Cancel", testserver.RefTo(update))
	cancel.Sent = "2026-11-25T08:00:00+01:00"
	b.mustPublish(t, "it", sk, cancel)
	expired := testserver.NewAlert("difesa-it", "it-2020-001", "Alert")
	expired.Sent = "2020-01-01T00:00:00+01:00"
	for i := range expired.Infos {
		expired.Infos[i].Expires = "2020-01-02T00:00:00+01:00"
	}
	b.mustPublish(t, "it", sk, expired)

	l := b.list(t, "it")
	if len(l) != 4 || l[0].Seq != 4 || l[3].Seq != 1 {
		t.Fatalf("list is not newest first: %+v", l)
	}
	if l[3].ReplacedBy != 2 || l[2].ReplacedBy != 3 || l[1].ReplacedBy != 0 || !l[0].Expired || l[3].Expired {
		t.Errorf("replaced/expired marks: %+v", l)
	}
	f = b.feed(t, "it")
	if len(f.Entries) != 4 {
		t.Fatalf("feed: %d entries", len(f.Entries))
	}
	states := []string{"expired", "", "cancelled", "replaced"}
	for i, e := range f.Entries {
		for _, term := range []string{"expired", "replaced", "cancelled"} {
			if hasTerm(e.Categories, term) != (term == states[i]) {
				t.Errorf("feed entry %d (%s): categories %+v, want state %q", i, e.Title, e.Categories, states[i])
			}
		}
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil || !strings.HasSuffix(f.Updated, "Z") {
		t.Errorf("feed updated %q", f.Updated)
	}
	// The other hub's feed and list stay empty.
	if l := b.list(t, "si"); len(l) != 0 {
		t.Errorf("hub si lists %+v", l)
	}
}

// TestBulletinRefusals sends hostile uploads: each is refused with its
// stable code and leaves the hub's bulletins as they were.
func TestBulletinRefusals(t *testing.T) {
	t.Parallel()
	b := newBulletinServer(t)
	sk := b.it.AdminKey
	first := testserver.NewAlert("difesa-it", "it-2026-001", "Alert")
	published := testserver.SignBulletin(t, sk, first)
	if r := b.publish(t, "it", published); r.status != 201 {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	valid := func(id string) []byte {
		up := testserver.SignBulletin(t, sk, testserver.NewAlert("difesa-it", id, "Alert"))
		return up.Document
	}
	// signed signs doc with the hub's admin key.
	signed := func(doc []byte) wire.BulletinUpload {
		return wire.BulletinUpload{Document: doc, Signature: sk.SignDetached(doc)}
	}
	edit := func(old, new string) wire.BulletinUpload {
		doc := valid("it-2026-100")
		if !bytes.Contains(doc, []byte(old)) {
			t.Fatalf("the test document has no %q:\n%s", old, doc)
		}
		return signed(bytes.Replace(doc, []byte(old), []byte(new), 1))
	}
	body := func(up wire.BulletinUpload) []byte { j, _ := json.Marshal(up); return j }

	flipped := signed(valid("it-2026-101"))
	flipped.Signature[10] ^= 0x01
	otherHub := wire.BulletinUpload{Document: valid("it-2026-102")}
	otherHub.Signature = b.si.AdminKey.SignDetached(otherHub.Document)
	otherBytes := signed(valid("it-2026-103"))
	otherBytes.Document = append(otherBytes.Document, '\n')
	changed := testserver.NewAlert("difesa-it", "it-2026-001", "Alert")
	changed.Infos[0].Headline = "Un altro titolo"
	unknownRef := testserver.NewAlert("difesa-it", "it-2026-105", "Cancel", cap.Reference{Sender: "difesa-it", Identifier: "it-2025-999", Sent: first.Sent})
	wrongSent := testserver.NewAlert("difesa-it", "it-2026-106", "Update", cap.Reference{Sender: "difesa-it", Identifier: "it-2026-001", Sent: "2026-11-23T11:00:00+02:00"})

	tests := []struct {
		name        string
		contentType string
		body        []byte
		status      int
		code        string
	}{
		{"not round-tripping XML", "", body(edit("</alert>", "<x:.a></x:.a></alert>")), 400, cap.CodeAmbiguous},
		{"DOCTYPE and entity", "", body(signed([]byte(strings.Replace(string(valid("it-2026-107")), "<alert", `<!DOCTYPE alert [<!ENTITY e "boom">]><alert`, 1)))), 400, cap.CodeForbidden},
		{"entity expansion", "", body(signed([]byte(`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&b;</identifier></alert>`))), 400, cap.CodeForbidden},
		{"CAP 1.1 namespace", "", body(edit("urn:oasis:names:tc:emergency:cap:1.2", "urn:oasis:names:tc:emergency:cap:1.1")), 400, cap.CodeNamespace},
		{"missing sender", "", body(edit("<sender>difesa-it</sender>", "")), 400, cap.CodeMissing},
		{"bad status", "", body(edit("<status>Actual</status>", "<status>Bogus</status>")), 400, cap.CodeBadValue},
		{"date-time with Z", "", body(edit("<sent>2026-11-23T10:00:00+01:00</sent>", "<sent>2026-11-23T09:00:00Z</sent>")), 400, cap.CodeBadTime},
		{"not XML", "", body(signed([]byte("not xml at all <"))), 400, cap.CodeMalformed},
		{"document over cap.MaxSize", "", body(edit("<areaDesc>Bologna</areaDesc>", "<areaDesc>"+strings.Repeat("x", cap.MaxSize)+"</areaDesc>")), 413, cap.CodeTooLarge},
		{"body over the limit", "", body(wire.BulletinUpload{Document: bytes.Repeat([]byte("x"), 2*cap.MaxSize)}), 413, wire.CodeBulletinTooLarge},
		{"no signature", "", body(wire.BulletinUpload{Document: valid("it-2026-108")}), 422, wire.CodeBulletinBadSignature},
		// Unsigned hostile XML never reaches the parser: the signature
		// is checked first.
		{"unsigned entity expansion", "", body(wire.BulletinUpload{Document: []byte(`<!DOCTYPE a [<!ENTITY a "aaaa">]><alert>&a;</alert>`)}), 422, wire.CodeBulletinBadSignature},
		{"one flipped bit", "", body(flipped), 422, wire.CodeBulletinBadSignature},
		{"another hub's key", "", body(otherHub), 422, wire.CodeBulletinBadSignature},
		{"signature of other bytes", "", body(otherBytes), 422, wire.CodeBulletinBadSignature},
		{"wrong sender", "", body(testserver.SignBulletin(t, sk, testserver.NewAlert("difesa-si", "it-2026-109", "Alert"))), 422, wire.CodeBulletinWrongSender},
		{"replay, same bytes", "", body(published), 409, wire.CodeBulletinReplayed},
		{"replay, other bytes", "", body(testserver.SignBulletin(t, sk, changed)), 409, wire.CodeBulletinReplayed},
		{"cancel of an unknown bulletin", "", body(testserver.SignBulletin(t, sk, unknownRef)), 422, wire.CodeBulletinUnknownReference},
		{"reference with another sent", "", body(testserver.SignBulletin(t, sk, wrongSent)), 422, wire.CodeBulletinUnknownReference},
		{"malformed JSON", "", []byte(`{"document":`), 400, wire.CodeBadRequest},
		{"unknown JSON member", "", []byte(`{"document":"PGEvPg==","signature":"","note":"hi"}`), 400, wire.CodeBadRequest},
		{"data after the JSON", "", append(body(signed(valid("it-2026-110"))), []byte(" {}")...), 400, wire.CodeBadRequest},
		{"document not base64", "", []byte(`{"document":"<alert/>","signature":""}`), 400, wire.CodeBadRequest},
		{"wrong content type", "application/cap+xml", valid("it-2026-111"), 415, wire.CodeUnsupportedType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := tt.contentType
			if ct == "" {
				ct = "application/json"
			}
			r := do(t, "POST", b.api("it")+"/bulletins", ct, "", bytes.NewReader(tt.body))
			if r.status != tt.status || r.code() != tt.code {
				t.Errorf("%d %s, want %d %s: %s", r.status, r.code(), tt.status, tt.code, r.body)
			}
			if l := b.list(t, "it"); len(l) != 1 || l[0].Identifier != "it-2026-001" || l[0].ReplacedBy != 0 {
				t.Fatalf("after a refusal the hub lists %+v", l)
			}
		})
	}
	if f := b.feed(t, "it"); len(f.Entries) != 1 {
		t.Errorf("feed: %d entries", len(f.Entries))
	}
	// A document signed for hub it is no bulletin of hub si either.
	if r := b.publish(t, "si", published); r.status != 422 {
		t.Errorf("hub it's bulletin at hub si: %d %s", r.status, r.body)
	}
}

// TestBulletinCodesMatchCap keeps wire's copies of cap's codes equal.
func TestBulletinCodesMatchCap(t *testing.T) {
	t.Parallel()
	pairs := [][2]string{
		{wire.CodeBulletinTooLarge, cap.CodeTooLarge},
		{wire.CodeBulletinMalformed, cap.CodeMalformed},
		{wire.CodeBulletinAmbiguous, cap.CodeAmbiguous},
		{wire.CodeBulletinForbidden, cap.CodeForbidden},
		{wire.CodeBulletinNamespace, cap.CodeNamespace},
		{wire.CodeBulletinMissing, cap.CodeMissing},
		{wire.CodeBulletinUnexpected, cap.CodeUnexpected},
		{wire.CodeBulletinBadValue, cap.CodeBadValue},
		{wire.CodeBulletinBadTime, cap.CodeBadTime},
	}
	for _, p := range pairs {
		if p[0] != p[1] {
			t.Errorf("wire code %q differs from cap's %q", p[0], p[1])
		}
	}
}
