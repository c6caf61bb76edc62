package bundle

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"testing"
	"time"
)

func testEnvelope() Envelope {
	return Envelope{Version: 1, Kind: KindReport, Language: "it", Created: "2026-11-23"}
}

func testReport() *Report {
	return &Report{
		Category:  "judicial_harassment",
		Narrative: "Il 20 novembre ho ricevuto una citazione <per diffamazione> & altro.",
		When:      "2026-11-20",
		Where:     "Palermo",
		Who:       "me and two colleagues",
		Needs:     "legal support",
		Contact:   "Signal only, evenings",
	}
}

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// attachments turns a name→content map (ordered by names) into Attachments.
func attachments(names []string, contents map[string][]byte) []Attachment {
	var files []Attachment
	for _, n := range names {
		c := contents[n]
		files = append(files, Attachment{Name: n, Size: int64(len(c)), Body: bytes.NewReader(c)})
	}
	return files
}

func writeBundle(t testing.TB, env Envelope, rep *Report, files []Attachment) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := Write(&buf, env, rep, files); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

// rawEntry is one entry of a hand-made, possibly hostile, tar archive.
type rawEntry struct {
	hdr  tar.Header
	body []byte
}

func reg(name string, body []byte) rawEntry {
	return rawEntry{hdr: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o600, Size: int64(len(body)), ModTime: time.Unix(0, 0)}, body: body}
}

func envEntry(json string) rawEntry { return reg(EnvelopeName, []byte(json)) }

const goodEnvelopeJSON = `{"version":1,"kind":"report","language":"it","created":"2026-11-23"}`

// rawTar builds a tar archive from entries, with the end-of-archive marker
// and no padding.
func rawTar(t testing.TB, entries ...rawEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := e.hdr
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatalf("WriteHeader %q: %v", h.Name, err)
		}
		if _, err := tw.Write(e.body); err != nil {
			t.Fatalf("Write %q: %v", h.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
