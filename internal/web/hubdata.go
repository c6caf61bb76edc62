package web

import (
	"encoding/base64"

	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/manifest"
)

// hubData is what the pages that encrypt embed for their script
// (#hubdata, docs/web.md): the admin key, the epoch, and the current signed
// manifest as its text and its signature. The text is sent rather than the
// transport form's base64 because gzip shrinks it by about 700 bytes more
// on a post-quantum hub, a share of the report page's 80 KB budget; the
// page checks the signature over the text's bytes (verifyEmbedded in
// web/src/manifest.js), so nothing is taken on trust. Without a signed
// manifest it returns nil and the script fetches manifest.json instead.
func hubData(h *hub.Hub) map[string]any {
	d := map[string]any{"admin_key": h.AdminKey, "epoch": h.Epoch()}
	if s, err := manifest.ParseSigned(h.Current().Signed); err == nil {
		d["manifest_text"] = string(s.Manifest)
		d["signature"] = base64.StdEncoding.EncodeToString(s.Signature)
	}
	return d
}
