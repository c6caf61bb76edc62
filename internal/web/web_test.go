package web_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/web"
)

var pages = []string{"", "report", "alert", "replies", "verify", "checkin", "checkin/start", "checkin/stop", "upload", "news"}

func TestPagesRenderInEveryLanguage(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	for _, lang := range web.Langs() {
		for _, page := range pages {
			r := get(t, srv.HubURL+"/"+page+"?lang="+lang)
			if r.status != 200 {
				t.Fatalf("%s %s: %d", lang, page, r.status)
			}
			if !strings.Contains(r.body, `<html lang="`+lang+`" dir="`) {
				t.Errorf("%s %s: no lang/dir on <html>", lang, page)
			}
			// Nothing is loaded from another origin, nothing inline.
			for _, bad := range []string{`src="http`, `href="http`, `style=`, `<style`, `onclick`, `onload=`} {
				if strings.Contains(r.body, bad) {
					t.Errorf("%s %s: page contains %q", lang, page, bad)
				}
			}
			if regexp.MustCompile(`<script>`).MatchString(r.body) {
				t.Errorf("%s %s: inline script", lang, page)
			}
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	r := get(t, srv.HubURL+"/report")
	want := map[string]string{
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
	}
	for k, v := range want {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	csp := r.header.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP %q lacks %q", csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	for _, h := range []string{"Server", "X-Powered-By", "Set-Cookie", "Onion-Location"} {
		if r.header.Get(h) != "" {
			t.Errorf("unexpected %s header", h)
		}
	}
}

func TestOnionLocation(t *testing.T) {
	t.Parallel()
	h := web.New(web.Options{OnionAddress: "http://example2345example2345.onion/"})
	rec := &headerRecorder{h: http.Header{}}
	req, _ := http.NewRequest("GET", "http://clear.example/hubs/demo/report?lang=it", nil)
	h.ServeHTTP(rec, req)
	if got, want := rec.h.Get("Onion-Location"), "http://example2345example2345.onion/hubs/demo/report?lang=it"; got != want {
		t.Errorf("Onion-Location = %q, want %q", got, want)
	}
	req, _ = http.NewRequest("GET", "http://example2345example2345.onion/hubs/demo/", nil)
	rec = &headerRecorder{h: http.Header{}}
	h.ServeHTTP(rec, req)
	if rec.h.Get("Onion-Location") != "" {
		t.Error("Onion-Location sent to a visitor already on the onion service")
	}
}

type headerRecorder struct {
	h      http.Header
	status int
}

func (r *headerRecorder) Header() http.Header         { return r.h }
func (r *headerRecorder) Write(p []byte) (int, error) { return len(p), nil }
func (r *headerRecorder) WriteHeader(s int)           { r.status = s }

func TestLanguagePicking(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	for _, tt := range []struct{ name, query, accept, want string }{
		{"default", "", "", "en"},
		{"accept-language hint", "", "fr-CH, fr;q=0.9, en;q=0.8", "fr"},
		{"explicit wins", "?lang=sl", "fr", "sl"},
		{"unknown explicit", "?lang=xx", "pl", "pl"},
	} {
		r := get(t, srv.HubURL+"/"+tt.query, "Accept-Language", tt.accept)
		if !strings.Contains(r.body, `<html lang="`+tt.want+`"`) {
			t.Errorf("%s: want lang %s", tt.name, tt.want)
		}
	}
}

func TestCataloguesAreComplete(t *testing.T) {
	t.Parallel()
	want := []string{"it", "en", "es", "fr", "sl", "pl", "pt", "ro"}
	have := map[string]bool{}
	for _, l := range web.Langs() {
		have[l] = true
	}
	for _, l := range want {
		if !have[l] {
			t.Errorf("no catalogue for %s", l)
		}
	}
	read := func(l string) map[string]string {
		b, err := os.ReadFile("locales/" + l + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s.json: %v", l, err)
		}
		return m
	}
	en := read("en")
	placeholders := regexp.MustCompile(`\{\d\}`)
	for _, l := range web.Langs() {
		m := read(l)
		for k, v := range en {
			got, ok := m[k]
			if !ok || got == "" {
				t.Errorf("%s.json: missing %q", l, k)
				continue
			}
			if strings.Join(placeholders.FindAllString(got, -1), "") != strings.Join(placeholders.FindAllString(v, -1), "") {
				t.Errorf("%s.json: %q has other placeholders than English", l, k)
			}
		}
		for k := range m {
			if _, ok := en[k]; !ok {
				t.Errorf("%s.json: %q is not an English key", l, k)
			}
		}
		if d := m["_dir"]; d != "ltr" && d != "rtl" {
			t.Errorf("%s.json: _dir must be ltr or rtl", l)
		}
	}
	for _, c := range bundle.Categories {
		if _, ok := en["cat_"+c.ID]; !ok {
			t.Errorf("no title for category %s", c.ID)
		}
	}
}

func TestAssetsGzipAndCaching(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	page := get(t, srv.HubURL+"/report")
	src := regexp.MustCompile(`/hubs/demo/assets/app\.js\?v=[0-9a-f]+`).FindString(page.body)
	if src == "" {
		t.Fatal("no script on the report page")
	}
	plain := get(t, srv.URL+src)
	gz := get(t, srv.URL+src, "Accept-Encoding", "gzip, deflate")
	if plain.status != 200 || gz.header.Get("Content-Encoding") != "gzip" || len(gz.body) >= len(plain.body) {
		t.Fatalf("asset: %d, encoding %q, %d vs %d bytes", plain.status, gz.header.Get("Content-Encoding"), len(gz.body), len(plain.body))
	}
	if !strings.Contains(gz.header.Get("Cache-Control"), "immutable") {
		t.Errorf("asset Cache-Control = %q", gz.header.Get("Cache-Control"))
	}
	if gz.header.Get("X-Content-Type-Options") != "nosniff" || gz.header.Get("Cross-Origin-Resource-Policy") != "same-origin" {
		t.Errorf("asset lacks nosniff or CORP: %v", gz.header)
	}
	if gz.header.Get("Content-Security-Policy") != "" || gz.header.Get("Permissions-Policy") != "" {
		t.Errorf("asset carries document policies: %v", gz.header)
	}
	committed, _ := os.ReadFile("assets/app.js")
	if plain.body != string(committed) {
		t.Error("served script differs from assets/app.js")
	}
}

// TestJSBundles reads the bundles web/src/bundle.js wrote (web/test/bundle.test.js)
// with bundle.Read, and checks that bundle.Write makes the same bytes of the
// same inputs.
func TestJSBundles(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/js-bundles.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Cases []struct {
			Name     string                        `json:"name"`
			Envelope bundle.Envelope               `json:"envelope"`
			Report   *bundle.Report                `json:"report"`
			Files    []struct{ Name, Data string } `json:"files"`
			Bundle   string                        `json:"bundle"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Cases) < 5 {
		t.Fatalf("only %d cases", len(v.Cases))
	}
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			js, _ := base64.StdEncoding.DecodeString(c.Bundle)
			got := map[string][]byte{}
			o, err := bundle.Read(bytes.NewReader(js), bundle.Limits{}, func(name string, _ int64, r io.Reader) error {
				got[name], err = io.ReadAll(r)
				return err
			})
			if err != nil {
				t.Fatalf("bundle.Read: %v", err)
			}
			if *o.Envelope != c.Envelope {
				t.Errorf("envelope %+v, want %+v", *o.Envelope, c.Envelope)
			}
			if (o.Report == nil) != (c.Report == nil) || c.Report != nil && *o.Report != *c.Report {
				t.Errorf("report %+v, want %+v", o.Report, c.Report)
			}
			var atts []bundle.Attachment
			for i, f := range c.Files {
				data, _ := base64.StdEncoding.DecodeString(f.Data)
				if o.Files[i].Name != f.Name || !bytes.Equal(got[f.Name], data) {
					t.Errorf("file %d: %q (%d bytes), want %q (%d bytes)", i, o.Files[i].Name, len(got[f.Name]), f.Name, len(data))
				}
				atts = append(atts, bundle.Attachment{Name: f.Name, Size: int64(len(data)), Body: bytes.NewReader(data)})
			}
			var goBytes bytes.Buffer
			if _, err := bundle.Write(&goBytes, c.Envelope, c.Report, atts); err != nil {
				t.Fatalf("bundle.Write: %v", err)
			}
			if !bytes.Equal(goBytes.Bytes(), js) {
				at := 0
				for at < min(len(js), goBytes.Len()) && js[at] == goBytes.Bytes()[at] {
					at++
				}
				t.Errorf("JS and Go bundles differ at byte %d (lengths %d, %d)", at, len(js), goBytes.Len())
			}
		})
	}
}

func TestUploadWithoutJavaScript(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	id := loadIdentity(t, srv.IdentityFile)
	api := srv.URL + "/api/v1/hubs/demo"
	var rep bytes.Buffer
	bundle.Write(&rep, bundle.NewEnvelope("report", "it", timeNow()), &bundle.Report{Category: "threats", Narrative: "offline with age"}, nil)

	for _, tt := range []struct {
		name, kind string
		body       []byte
		status     int
		text       string
	}{
		{"binary age file", "report", encrypt(t, rep.Bytes(), false, id.Recipient()), 201, "Received"},
		{"armored alert", "alert", encrypt(t, []byte("plain text note, encrypted"), true, id.Recipient()), 201, "Received"},
		{"plaintext refused", "report", []byte("this is not encrypted"), 400, "not an age-encrypted file"},
		{"other recipients", "report", encrypt(t, rep.Bytes(), false, id.Recipient(), id.Recipient()), 422, "not encrypted to this hub"},
	} {
		r := postFile(t, srv.HubURL+"/upload?lang=en", tt.kind, tt.body)
		if r.status != tt.status || !strings.Contains(r.body, tt.text) || !strings.Contains(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: %d %q", tt.name, r.status, r.body)
		}
	}
	resp := login(t, api, id)
	subs := resp.submissions()
	if len(subs) != 2 {
		t.Fatalf("%d submissions stored, want 2", len(subs))
	}
	kinds := map[string]bool{}
	for _, s := range subs {
		kinds[s.Kind] = true
	}
	if !kinds["report"] || !kinds["alert"] {
		t.Errorf("kinds %v", kinds)
	}
	for _, s := range subs {
		if s.Kind == "report" {
			if o, _ := resp.open(s.ID); o.Report == nil || o.Report.Narrative != "offline with age" {
				t.Errorf("report read back as %+v", o)
			}
		}
	}
}

func TestUploadRefusesCrossSitePosts(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	req, _ := http.NewRequest("POST", srv.HubURL+"/checkin", strings.NewReader("code=a"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := send(t, req); r.status != http.StatusForbidden {
		t.Errorf("cross-site check-in post: %d", r.status)
	}
}

func TestUploadSizeLimit(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /hubs/demo/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n\r\n--x", int64(1)<<40)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("huge upload: %d", resp.StatusCode)
	}
}

func TestCheckinWithoutJavaScript(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	post := func(code string) response {
		req, _ := http.NewRequest("POST", srv.HubURL+"/checkin?lang=en", strings.NewReader("code="+code))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return send(t, req)
	}
	r := post("erupt material poncho july daycare operator revisit")
	if r.status != 404 || !strings.Contains(r.body, "No check-in was found") || !strings.Contains(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("unknown code: %d %s", r.status, r.body)
	}
	// An armed check-in: see TestCheckinFlowWithoutJavaScript in browser_test.go.
}

func TestUnknownHubAndPage(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	if r := get(t, srv.HubURL+"/nope"); r.status != 404 || !strings.Contains(r.body, "<html") {
		t.Errorf("unknown page: %d", r.status)
	}
}

// A full hub says so, in the visitor's language, on the page without
// JavaScript: the defender must know to reach the hub another way.
func TestUploadToAFullHub(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	srv.Instance.Hubs.Get("demo").MaxStoredBytes = 100
	id := loadIdentity(t, srv.IdentityFile)
	r := postFile(t, srv.HubURL+"/upload?lang=it", "report", encrypt(t, []byte("a report the hub has no room for"), false, id.Recipient()))
	if r.status != http.StatusInsufficientStorage || !strings.Contains(r.body, "non può conservare altro") {
		t.Errorf("upload to a full hub: %d %q", r.status, r.body)
	}
}
