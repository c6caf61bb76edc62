package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"net/http"
	"path"

	"github.com/go-chi/chi/v5"
)

// The pages' assets: app.js (every page that encrypts) and form.js (the
// form pages only, after app.js) are built from web/src by `npm run build`
// and committed (web/test/build.test.js checks they are current) with their
// gzip forms made by the same build (zopfli, when installed, compresses
// better than compress/gzip); style.css is written by hand and compressed
// here at start-up.
//
//go:embed assets/app.js assets/app.js.gz assets/form.js assets/form.js.gz assets/style.css
var assetFS embed.FS

type asset struct {
	typ       string
	plain, gz []byte
	version   string
}

var assets = loadAssets()

func loadAssets() map[string]*asset {
	out := map[string]*asset{}
	for name, typ := range map[string]string{"app.js": "text/javascript; charset=utf-8", "form.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"} {
		b, err := assetFS.ReadFile(path.Join("assets", name))
		if err != nil {
			panic(err)
		}
		gz, err := assetFS.ReadFile(path.Join("assets", name+".gz"))
		if err != nil || !gunzipsTo(gz, b) {
			gz = gzipBytes(b)
		}
		sum := sha256.Sum256(b)
		out[name] = &asset{typ: typ, plain: b, gz: gz, version: hex.EncodeToString(sum[:6])}
	}
	return out
}

// assetURL names an asset with its content hash, so it can be cached for
// good and a new build is always fetched.
func assetURL(hubID, name string) string {
	return "/hubs/" + hubID + "/assets/" + name + "?v=" + assets[name].version
}

// documentOnlyHeaders are the headers [Pages.headers] and the API set that
// govern documents, not subresources.
var documentOnlyHeaders = []string{
	"Content-Security-Policy", "Permissions-Policy", "X-Frame-Options",
	"Cross-Origin-Opener-Policy", "Referrer-Policy", "Onion-Location",
}

// serveAsset serves an embedded asset, gzip-compressed when accepted.
func serveAsset(w http.ResponseWriter, r *http.Request) {
	a := assets[chi.URLParam(r, "name")]
	if a == nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	// The policies of documents mean nothing on a script or a style
	// sheet, and every byte counts on Tor Browser's slow links: assets
	// keep only the headers that apply to them (nosniff and the
	// cross-origin resource policy).
	for _, name := range documentOnlyHeaders {
		h.Del(name)
	}
	h.Set("Content-Type", a.typ)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Vary", "Accept-Encoding")
	body := a.plain
	if acceptsGzip(r) {
		body = a.gz
		h.Set("Content-Encoding", "gzip")
	}
	w.Write(body)
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// gunzipsTo reports whether gz decompresses to exactly plain.
func gunzipsTo(gz, plain []byte) bool {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return false
	}
	got, err := io.ReadAll(zr)
	return err == nil && bytes.Equal(got, plain)
}
