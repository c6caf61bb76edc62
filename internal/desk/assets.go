package desk

import (
	"embed"
	"net/http"
)

// The desk's two assets, written by hand: its style and the small script
// of live updates (the pages work without it).
//
//go:embed assets/desk.css assets/desk.js
var assetFS embed.FS

var assetTypes = map[string]string{
	"desk.css": "text/css; charset=utf-8",
	"desk.js":  "text/javascript; charset=utf-8",
}

func serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	typ, ok := assetTypes[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := assetFS.ReadFile("assets/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Write(b)
}
