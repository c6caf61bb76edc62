package desk

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/testutil/syncbuf"
)

const demoHub = daemon.DemoHubID

// testDay is the fixed moment of the hub's and the desk's shared clock.
var testDay = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// hubFixture is a real hub on loopback (its clock fixed) and a desk over
// a real casebook that follows it.
type hubFixture struct {
	srv   *testserver.Server
	id    *age.HybridIdentity
	clock *instants.Clock
	dir   string
	logs  *syncbuf.Buffer
	desk  *testDesk
}

func newHubFixture(t *testing.T) *hubFixture {
	t.Helper()
	f := &hubFixture{clock: instants.NewClock(testDay), dir: filepath.Join(t.TempDir(), "desk"), logs: &syncbuf.Buffer{}}
	f.srv = testserver.NewWithOptions(t, config.Default(), testserver.Options{Now: f.clock.Now})
	f.id = testserver.LoadIdentity(t, f.srv.IdentityFile)
	return f
}

// start starts the desk over the fixture's hub.
func (f *hubFixture) start(t *testing.T, more ...func(*Options)) *testDesk {
	t.Helper()
	f.desk = newDeskWith(t, casebook.Options{
		Dir: f.dir, Identities: []age.Identity{f.id}, Recipient: f.id.Recipient(), Now: f.clock.Now,
		SyncEvery: time.Hour,
		Logf:      func(format string, a ...any) { fmt.Fprintf(f.logs, format+"\n", a...) },
		Hubs:      []casebook.HubConfig{{URL: f.srv.HubURL, Pins: client.NewPinStore(t.TempDir())}},
	}, more...)
	return f.desk
}

// waitFor syncs until cond holds of the inbox, for at most a minute.
func (f *hubFixture) waitFor(t *testing.T, what string, cond func(casebook.Page) bool) casebook.Page {
	t.Helper()
	ch, stop := f.desk.book.Changes()
	defer stop()
	deadline := time.After(60 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		p, err := f.desk.book.Inbox(casebook.Filter{})
		if err == nil && cond(p) {
			return p
		}
		f.desk.book.SyncNow()
		select {
		case <-ch:
		case <-tick.C:
		case <-deadline:
			t.Fatalf("waiting for %s: the inbox is %+v (%v)", what, p, err)
		}
	}
}

// submit sends a report as a defender would, with a codename; it returns
// the submission's id and the codename's keys.
func (f *hubFixture) submit(t *testing.T, kind string, rep *bundle.Report, files ...bundle.Attachment) (string, *codename.Keys) {
	t.Helper()
	ctx := context.Background()
	c := f.defender(t)
	v, err := c.VerifiedRecipients(ctx, client.Trust{})
	if err != nil {
		t.Fatalf("recipients: %v", err)
	}
	env := bundle.NewEnvelope(kind, "en", testDay)
	name, err := codename.Generate()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := codename.Derive(name, c.HubID())
	if err != nil {
		t.Fatal(err)
	}
	env.ReplyRecipient = keys.Recipient
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, v.Recipients...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.Write(w, env, rep, files); err != nil {
		t.Fatalf("bundle: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	sc, err := c.OpenThread(ctx, kind, v.Epoch, keys.Verifier, &buf)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return sc.ID, keys
}

func (f *hubFixture) defender(t *testing.T) *client.Client {
	t.Helper()
	c, err := client.New(f.srv.HubURL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func file(name string, data []byte) bundle.Attachment {
	return bundle.Attachment{Name: name, Size: int64(len(data)), Body: bytes.NewReader(data)}
}

// picture is a w×h image with a pattern.
func picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 5), 120, 255})
		}
	}
	return img
}

func pngOf(w, h int) []byte {
	var b bytes.Buffer
	png.Encode(&b, picture(w, h))
	return b.Bytes()
}

// jpegWithGPS is a real JPEG whose EXIF says where it was taken.
func jpegWithGPS(w, h int) []byte {
	var j bytes.Buffer
	jpeg.Encode(&j, picture(w, h), nil)
	bo := binary.BigEndian
	t := []byte("MM\x00*")
	t = bo.AppendUint32(t, 8)
	ifd := func(t []byte, entries [][4]uint32) []byte {
		t = bo.AppendUint16(t, uint16(len(entries)))
		for _, e := range entries {
			t = bo.AppendUint16(t, uint16(e[0]))
			t = bo.AppendUint16(t, uint16(e[1]))
			t = bo.AppendUint32(t, e[2])
			t = bo.AppendUint32(t, e[3])
		}
		return bo.AppendUint32(t, 0)
	}
	t = ifd(t, [][4]uint32{{0x8825, 4, 1, 8 + 2 + 12 + 4}}) // GPS IFD pointer
	t = ifd(t, [][4]uint32{{0x0001, 2, 2, 'N' << 24}, {0x0002, 5, 3, 0}, {0x0003, 2, 2, 'E' << 24}, {0x0004, 5, 3, 0}})
	seg := []byte{0xff, 0xe1}
	seg = bo.AppendUint16(seg, uint16(2+6+len(t)))
	seg = append(seg, "Exif\x00\x00"...)
	seg = append(seg, t...)
	b := j.Bytes()
	out := append([]byte(nil), b[:2]...)
	out = append(out, seg...)
	return append(out, b[2:]...)
}

// bombPNG declares a huge image in a few dozen bytes.
func bombPNG() []byte {
	chunk := func(typ string, data []byte) []byte {
		c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		c = append(c, typ...)
		c = append(c, data...)
		return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, 100000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 100000)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	b := []byte("\x89PNG\r\n\x1a\n")
	b = append(b, chunk("IHDR", ihdr)...)
	b = append(b, chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(b, chunk("IEND", nil)...)
}

// pdfBytes is a small PDF.
var pdfBytes = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// followup sends a follow-up to a conversation as its defender.
func (f *hubFixture) followup(t *testing.T, keys *codename.Keys, text string) {
	t.Helper()
	ctx := context.Background()
	c := f.defender(t)
	v, err := c.VerifiedRecipients(ctx, client.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, _ := age.Encrypt(&buf, v.Recipients...)
	if _, err := bundle.Write(w, bundle.NewEnvelope(bundle.KindFollowup, "en", testDay), &bundle.Report{Category: "other", Narrative: text}, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := c.Followup(ctx, client.ThreadToken(keys.Token), v.Epoch, &buf); err != nil {
		t.Fatalf("follow-up: %v", err)
	}
}
