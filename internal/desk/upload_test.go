package desk

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// A form with files (a reply's attachments) up to the limit is taken; one
// over it is refused before it is read whole.
func TestUploadLimit(t *testing.T) {
	d := newDesk(t)
	c, csrf := d.session(t)
	send := func(size int) answer {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", csrf)
		mw.WriteField("lang", "en")
		fw, _ := mw.CreateFormFile("file", "big.bin")
		fw.Write(bytes.Repeat([]byte("plaintext "), size/10))
		mw.Close()
		req := newRequest(t, "POST", d.Origin()+"/lang", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", d.Origin())
		req.AddCookie(c)
		return do(t, req)
	}
	if a := send(8 << 20); a.StatusCode != http.StatusSeeOther {
		t.Fatalf("an 8 MB form: %s: %s", a.Status, a.body)
	}
	if a := send(maxUpload + 1<<20); a.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(a.body, "too large") {
		t.Fatalf("a form over the limit: %s", a.Status)
	}
}
