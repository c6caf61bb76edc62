package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"difesa.org/difesa/internal/ageformat"
	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/wire"
)

// rawPost writes a POST with the given Content-Length on a raw TCP
// connection, followed by prefix and nothing more of the body, and reads the
// answer. Go's client refuses to send a request whose body does not match
// its declared length, so only a raw connection reaches what the server
// does with the declared length alone. closing reports whether the answer
// said Connection: close; closed whether the server then closed the
// connection rather than wait for the rest of the body.
func rawPost(t *testing.T, rawURL, contentType string, contentLength int64, prefix []byte, waitClose bool) (resp response, closing, closed bool) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", u.RequestURI(), u.Host, contentType, contentLength)
	if _, err := conn.Write(prefix); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	r, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer while the body is still to come: %v", err)
	}
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !waitClose {
		return response{r.StatusCode, r.Header, b}, r.Close, false
	}
	// A server that waits for the rest of the body would hold the
	// connection open until the deadline: reading must end at once.
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	_, err = br.ReadByte()
	return response{r.StatusCode, r.Header, b}, r.Close, err == io.EOF
}

// TestSubmitDeclaredLengthTooLarge sends uploads whose Content-Length is
// over what the hub accepts (its max_submission_size, plus room for armor
// and the header): the server must answer 413 too_large at once, without
// reading the body that never comes, keep nothing, and close the
// connection (net/http still drains a remainder under 256 KiB after the
// answer, so only the larger declarations see it closed at once). A length
// exactly at the limit is read.
func TestSubmitDeclaredLengthTooLarge(t *testing.T) {
	t.Parallel()
	const maxSize = 4096
	r := newAdmissionRig(t, api.Options{}, func(h *hub.Hub) { h.MaxSubmissionSize = maxSize })
	rawLimit := int64(maxSize + maxSize/2 + ageformat.MaxHeaderSize)

	for _, tt := range []struct {
		name     string
		declared int64
		closed   bool
	}{
		{"one byte over", rawLimit + 1, false},
		{"10 GiB", 10 << 30, true},
		{"the largest int64", 1<<63 - 1, true},
	} {
		for _, ct := range []string{wire.MediaTypeAge, "text/plain"} {
			got, closing, closed := rawPost(t, r.api+"/submissions", ct, tt.declared, nil, tt.closed)
			if got.status != http.StatusRequestEntityTooLarge || got.code() != wire.CodeTooLarge {
				t.Fatalf("%s (%s): %d %s, want 413 %s", tt.name, ct, got.status, got.body, wire.CodeTooLarge)
			}
			var e wire.ErrorBody
			if err := json.Unmarshal(got.body, &e); err != nil || e.Error.Message == "" {
				t.Fatalf("%s: the answer is not a JSON error that explains itself: %s", tt.name, got.body)
			}
			if !closing {
				t.Fatalf("%s: the answer does not say Connection: close", tt.name)
			}
			if tt.closed && !closed {
				t.Fatalf("%s: the server kept the connection open for a body it refused", tt.name)
			}
		}
	}
	r.checkStore(t, 0)

	// At the limit the server reads the body, finds it is not age, and
	// says so without waiting for the rest.
	got, _, _ := rawPost(t, r.api+"/submissions", wire.MediaTypeAge, rawLimit, bytes.Repeat([]byte("this is no age file\n"), 120), false)
	if got.status != http.StatusBadRequest || got.code() != wire.CodeBadAgeHeader {
		t.Fatalf("declared exactly the limit: %d %s, want 400 %s", got.status, got.body, wire.CodeBadAgeHeader)
	}
	r.checkStore(t, 0)
}
