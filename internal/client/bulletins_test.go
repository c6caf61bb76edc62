package client_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"difesa.org/difesa/internal/cap"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/wire"
)

// TestFetchBulletinSizes: a document over cap.MaxSize, or a signature of
// any size but 64 bytes, is refused with ErrBadBulletin; a missing one is
// the hub's not_found.
func TestFetchBulletinSizes(t *testing.T) {
	doc := []byte("<alert/>")
	sig := bytes.Repeat([]byte{7}, client.BulletinSignatureSize)
	tests := []struct {
		name     string
		doc, sig []byte
		wantErr  error
	}{
		{"exact sizes", doc, sig, nil},
		{"largest document", bytes.Repeat([]byte("a"), cap.MaxSize), sig, nil},
		{"document too large", bytes.Repeat([]byte("a"), cap.MaxSize+1), sig, client.ErrBadBulletin},
		{"short signature", doc, sig[:63], client.ErrBadBulletin},
		{"long signature", doc, append(sig, 0), client.ErrBadBulletin},
		{"no signature", doc, nil, &wire.Error{Code: wire.CodeNotFound}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/hubs/h/bulletins/3.xml":
					w.Write(tt.doc)
				case r.URL.Path == "/hubs/h/bulletins/3.sig" && tt.sig != nil:
					w.Write(tt.sig)
				default:
					w.WriteHeader(http.StatusNotFound)
					w.Write([]byte(`{"error":{"code":"not_found","message":"no such bulletin in this hub"}}`))
				}
			}))
			defer srv.Close()
			c, err := client.New(srv.URL+"/hubs/h", client.Options{})
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.FetchBulletin(context.Background(), 3)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("FetchBulletin: %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.Seq != 3 || !bytes.Equal(b.Document, tt.doc) || !bytes.Equal(b.Signature, tt.sig) {
				t.Errorf("FetchBulletin = %d, %d bytes, %d bytes", b.Seq, len(b.Document), len(b.Signature))
			}
		})
	}
}

func TestBulletinURLs(t *testing.T) {
	c, err := client.New("http://127.0.0.1:8080/hubs/it", client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc, sig := c.BulletinURLs(12)
	if doc != "http://127.0.0.1:8080/hubs/it/bulletins/12.xml" || !strings.HasSuffix(sig, "/hubs/it/bulletins/12.sig") {
		t.Errorf("BulletinURLs = %s, %s", doc, sig)
	}
}
