package cap

import (
	"bytes"
	"encoding/xml"
	"testing"
)

// FuzzCheck checks that Check never panics, that what it accepts carries
// no markup but elements (so no DOCTYPE or entity can hide in it), that
// plain encoding/xml reads it the same way, and that it survives Marshal.
func FuzzCheck(f *testing.F) {
	for _, tt := range validCases(f) {
		f.Add([]byte(tt.doc))
	}
	for _, tt := range hostileCases(f) {
		if len(tt.doc) <= MaxSize {
			f.Add([]byte(tt.doc))
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		a, err := Check(doc)
		if err != nil {
			if a != nil {
				t.Fatalf("Check returned an alert and %v", err)
			}
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Check returned %T, not *Error: %v", err, err)
			}
			return
		}
		if len(doc) > MaxSize {
			t.Fatalf("Check accepted %d bytes", len(doc))
		}
		if bytes.Contains(doc, []byte("<!")) {
			t.Fatalf("Check accepted a document with <! (DOCTYPE, ENTITY, comment or CDATA):\n%q", doc)
		}
		if i := bytes.Index(doc, []byte("<?")); i > 0 || bytes.Count(doc, []byte("<?")) > 1 {
			t.Fatalf("Check accepted a processing instruction:\n%q", doc)
		}
		sameAsPlainDecoder(t, doc, a)

		out, err := a.Marshal()
		if err != nil {
			t.Fatalf("Marshal of an accepted alert: %v\ninput %q", err, doc)
		}
		back, err := Check(out)
		if err != nil {
			t.Fatalf("Check(Marshal): %v\n%s", err, out)
		}
		if !back.Equal(a) {
			t.Fatalf("Check(Marshal(a)) != a\ninput  %q\noutput %q", doc, out)
		}
	})
}

// plainAlert is how a consumer using encoding/xml's Unmarshal, with none
// of Check's rules, would read a bulletin.
type plainAlert struct {
	XMLName    xml.Name `xml:"urn:oasis:names:tc:emergency:cap:1.2 alert"`
	Identifier string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 identifier"`
	Sender     string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 sender"`
	Status     string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 status"`
	Infos      []struct {
		Event       string `xml:"urn:oasis:names:tc:emergency:cap:1.2 event"`
		Description string `xml:"urn:oasis:names:tc:emergency:cap:1.2 description"`
	} `xml:"urn:oasis:names:tc:emergency:cap:1.2 info"`
}

// sameAsPlainDecoder checks that encoding/xml's Unmarshal reads doc as a
// the same way, so that no reader of a bulletin sees another alert.
func sameAsPlainDecoder(t *testing.T, doc []byte, a *Alert) {
	t.Helper()
	var p plainAlert
	if err := xml.Unmarshal(doc, &p); err != nil {
		t.Fatalf("xml.Unmarshal of an accepted document: %v", err)
	}
	if p.Identifier != a.Identifier || p.Sender != a.Sender || p.Status != a.Status || len(p.Infos) != len(a.Infos) {
		t.Fatalf("xml.Unmarshal reads %+v, Check %+v", p, a)
	}
	for i, in := range p.Infos {
		if in.Event != a.Infos[i].Event || in.Description != a.Infos[i].Description {
			t.Fatalf("xml.Unmarshal reads info %d as %+v", i+1, in)
		}
	}
}
