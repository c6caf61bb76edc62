package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

// bulletinCodes are the only error codes a bulletin upload may answer with.
var bulletinCodes = map[string]bool{
	wire.CodeBadRequest: true, wire.CodeUnsupportedType: true,
	wire.CodeBulletinTooLarge: true, wire.CodeBulletinMalformed: true, wire.CodeBulletinAmbiguous: true,
	wire.CodeBulletinForbidden: true, wire.CodeBulletinNamespace: true, wire.CodeBulletinMissing: true,
	wire.CodeBulletinUnexpected: true, wire.CodeBulletinBadValue: true, wire.CodeBulletinBadTime: true,
	wire.CodeBulletinBadSignature: true, wire.CodeBulletinWrongSender: true, wire.CodeBulletinReplayed: true,
	wire.CodeBulletinUnknownReference: true,
}

// FuzzBulletinUpload throws uploads at the real handler over a real
// store: either a raw body, or a document in a well-formed upload signed
// with the hub's admin key (so mutations reach cap.Check and the store).
// Nothing may panic, answer 500 or an unknown code, and whatever is
// accepted is served back byte for byte.
func FuzzBulletinUpload(f *testing.F) {
	st, err := store.Open(filepath.Join(f.TempDir(), "db"), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	sk, _ := manifest.GenerateKey()
	h, _ := hub.New("it", "Hub it", nil, 1<<20, 0)
	h.AdminKey, h.AdminFingerprint = sk.Public().String(), sk.Public().Fingerprint()
	handler := api.New(api.Options{Store: st, Hubs: hub.NewRegistry(h)})

	first := testserver.NewAlert("difesa-it", "it-1", "Alert")
	up := testserver.SignBulletin(f, sk, first)
	valid, _ := json.Marshal(up)
	update := testserver.SignBulletin(f, sk, testserver.NewAlert("difesa-it", "it-2", "Update", testserver.RefTo(first)))
	f.Add(valid, []byte(nil), false)
	f.Add([]byte(nil), up.Document, true)
	f.Add([]byte(nil), update.Document, true)
	f.Add([]byte(nil), bytes.Replace(up.Document, []byte("Actual"), []byte("Bogus"), 1), true)
	f.Add([]byte(nil), []byte(`<!DOCTYPE a [<!ENTITY e "x">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&e;</alert>`), true)
	f.Add([]byte(`{"document":"PGEvPg==","signature":"AAAA"}`), []byte(nil), false)
	f.Add([]byte(`{"document":null}`), []byte(nil), false)
	f.Add([]byte(`[]`), []byte(nil), false)
	f.Fuzz(func(t *testing.T, body, doc []byte, sign bool) {
		if len(doc) > 0 {
			up := wire.BulletinUpload{Document: doc, Signature: make([]byte, 64)}
			if sign {
				up.Signature = sk.SignDetached(doc)
			}
			body, _ = json.Marshal(up)
		}
		req := httptest.NewRequest("POST", "http://difesa.test/api/v1/hubs/it/bulletins", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusCreated:
			var info wire.BulletinInfo
			if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil || !strings.HasSuffix(info.DocumentURL, ".xml") {
				t.Fatalf("201 with %q", rec.Body)
			}
			get := httptest.NewRecorder()
			handler.ServeHTTP(get, httptest.NewRequest("GET", "http://difesa.test"+info.DocumentURL, nil))
			if len(doc) > 0 && !bytes.Equal(get.Body.Bytes(), doc) {
				t.Fatalf("accepted %q, served %q", doc, get.Body)
			}
		case rec.Code >= 500:
			t.Fatalf("%d %s", rec.Code, rec.Body)
		default:
			var e wire.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == nil || !bulletinCodes[e.Error.Code] {
				t.Fatalf("%d with body %q", rec.Code, rec.Body)
			}
		}
	})
}
