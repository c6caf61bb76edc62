package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

func TestSanitizeFormats(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, source, contentType string
		data                      []byte
	}{
		{"png", "png", "image/png", pngBytes(t, 31, 17)},
		{"jpeg", "jpeg", "image/jpeg", jpegBytes(t, 31, 17)},
		{"gif", "gif", "image/png", gifBytes(t, 31, 17, 1)},
		{"animated gif", "gif", "image/png", gifBytes(t, 31, 17, 3)},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, err := Sanitize(c.data)
			if err != nil {
				t.Fatal(err)
			}
			if p.Source != c.source || p.ContentType != c.contentType || p.Width != 31 || p.Height != 17 || p.GPS {
				t.Errorf("preview %+v", Preview{Source: p.Source, ContentType: p.ContentType, Width: p.Width, Height: p.Height, GPS: p.GPS})
			}
			if p.SHA256 != sha256.Sum256(c.data) {
				t.Error("SHA256 is not the original's")
			}
			img, format, err := image.Decode(bytes.NewReader(p.Data))
			if err != nil || "image/"+format != p.ContentType {
				t.Fatalf("the preview does not decode as %s: %s, %v", p.ContentType, format, err)
			}
			if img.Bounds().Dx() != 31 || img.Bounds().Dy() != 17 {
				t.Errorf("preview bounds %v", img.Bounds())
			}
		})
	}
}

func TestMetadataStripped(t *testing.T) {
	t.Parallel()
	const secret = "Author: Maria Lopez, phone +52 55 1234 5678"
	p := insertPNGChunk(pngBytes(t, 8, 8), pngChunk("tEXt", []byte("Comment\x00"+secret)))
	j := withAPP1(jpegBytes(t, 8, 8), append(tiffWithGPS(binary.LittleEndian, gpsEntries), secret...))
	for name, data := range map[string][]byte{"png": p, "jpeg": j} {
		out, err := Sanitize(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, needle := range []string{secret, "Exif", "tEXt", "Comment"} {
			if bytes.Contains(out.Data, []byte(needle)) {
				t.Errorf("%s: the preview still holds %q", name, needle)
			}
		}
	}
}

func TestEXIFGPS(t *testing.T) {
	t.Parallel()
	base := jpegBytes(t, 16, 16)
	outOfRange := tiffWithGPS(binary.BigEndian, gpsEntries)
	binary.BigEndian.PutUint32(outOfRange[8+2+12+8:], 1<<30) // GPS pointer past the end
	for _, c := range []struct {
		name string
		data []byte
		gps  bool
	}{
		{"no exif", base, false},
		{"little endian gps", withAPP1(base, tiffWithGPS(binary.LittleEndian, gpsEntries)), true},
		{"big endian gps", withAPP1(base, tiffWithGPS(binary.BigEndian, gpsEntries)), true},
		{"gps directory without coordinates", withAPP1(base, tiffWithGPS(binary.LittleEndian, gpsEntries[:1])), false},
		{"empty gps directory", withAPP1(base, tiffWithGPS(binary.LittleEndian, nil)), false},
		{"unreadable gps directory counts as gps", withAPP1(base, outOfRange), true},
		{"not tiff", withAPP1(base, []byte("XX*\x00\x00\x00\x00\x08")), false},
		{"png eXIf", insertPNGChunk(pngBytes(t, 4, 4), pngChunk("eXIf", tiffWithGPS(binary.BigEndian, gpsEntries))), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, err := Sanitize(c.data)
			if err != nil {
				t.Fatal(err)
			}
			if p.GPS != c.gps {
				t.Errorf("GPS = %v, want %v", p.GPS, c.gps)
			}
		})
	}
}

// bombPNG is a valid PNG signature and IHDR declaring w×h, a tiny IDAT and
// IEND: a few dozen bytes that would decode to gigabytes.
func bombPNG(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA
	b := []byte("\x89PNG\r\n\x1a\n")
	b = append(b, pngChunk("IHDR", ihdr)...)
	b = append(b, pngChunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(b, pngChunk("IEND", nil)...)
}

func TestRefused(t *testing.T) {
	t.Parallel()
	png8 := pngBytes(t, 8, 8)
	html := []byte("<html><body><script>fetch('http://127.0.0.1:9/x')</script></body></html>")
	for _, c := range []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrNotImage},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), ErrNotImage},
		{"svg with xml prolog", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ErrNotImage},
		{"html", html, ErrNotImage},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), ErrNotImage},
		{"bmp", []byte("BM\x36\x00\x00\x00"), ErrNotImage},
		{"png bomb", bombPNG(100_000, 100_000), ErrTooManyPixels},
		{"png one long side", bombPNG(MaxSide+1, 1), ErrTooManyPixels},
		{"png just over the pixel cap", bombPNG(8000, 5001), ErrTooManyPixels},
		{"png with html after IEND", append(bytes.Clone(png8), html...), ErrTrailingData},
		{"jpeg with a zip after EOI", append(jpegBytes(t, 8, 8), "PK\x03\x04rest"...), ErrTrailingData},
		{"gif with html after the trailer", append(gifBytes(t, 8, 8, 1), html...), ErrTrailingData},
		{"truncated png", png8[:len(png8)-5], ErrMalformed},
		{"truncated jpeg", jpegBytes(t, 8, 8)[:200], ErrMalformed},
		{"png with a broken idat", insertPNGChunk(bombPNG(4, 4)[:8+25], pngChunk("IEND", nil)), ErrMalformed},
		{"zero width", bombPNG(0, 5), ErrMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, err := Sanitize(c.data)
			if !errors.Is(err, c.want) {
				t.Fatalf("Sanitize = %v, want %v", err, c.want)
			}
			if p.Data != nil {
				t.Error("a refused image gave a preview")
			}
		})
	}
}

// TestPolyglotInsideChunk: HTML hidden in a PNG text chunk is a clean PNG;
// the preview keeps none of it.
func TestPolyglotInsideChunk(t *testing.T) {
	t.Parallel()
	html := "<html><script>document.location='http://127.0.0.1:9/'</script>"
	data := insertPNGChunk(pngBytes(t, 8, 8), pngChunk("tEXt", []byte("x\x00"+html)))
	p, err := Sanitize(data)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.Data, []byte("<html")) || bytes.Contains(p.Data, []byte("script")) {
		t.Error("the preview carries the HTML")
	}
	if _, err := png.Decode(bytes.NewReader(p.Data)); err != nil {
		t.Error(err)
	}
}

func TestTooLarge(t *testing.T) {
	t.Parallel()
	data := make([]byte, MaxBytes+1)
	copy(data, pngBytes(t, 2, 2))
	if _, err := Sanitize(data); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Sanitize = %v", err)
	}
}

// TestProgressiveJPEG walks a JPEG with several scans.
func TestProgressiveJPEG(t *testing.T) {
	t.Parallel()
	// Go encodes baseline only; a second scan is spliced by hand:
	// the first SOS segment and its data repeated before EOI.
	j := jpegBytes(t, 16, 16)
	sos := bytes.Index(j, []byte{0xff, 0xda})
	scan := j[sos : len(j)-2]
	two := append(append(bytes.Clone(j[:len(j)-2]), scan...), 0xff, 0xd9)
	st, err := walkJPEG(two)
	if err != nil || st.end != len(two) {
		t.Fatalf("walk = %d of %d, %v", st.end, len(two), err)
	}
	_ = jpeg.Options{}
}

// TestGIFPartialFirstFrame: a first frame smaller than the GIF's screen is
// drawn in place on a canvas of the screen's size.
func TestGIFPartialFirstFrame(t *testing.T) {
	t.Parallel()
	frame := image.NewPaletted(image.Rect(5, 4, 15, 10), palette.Plan9)
	for i := range frame.Pix {
		frame.Pix[i] = 200
	}
	g := &gif.GIF{Image: []*image.Paletted{frame}, Delay: []int{0},
		Config: image.Config{Width: 20, Height: 12, ColorModel: frame.Palette}}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	p, err := Sanitize(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 20 || p.Height != 12 {
		t.Fatalf("preview %d×%d, want 20×12", p.Width, p.Height)
	}
	img, err := png.Decode(bytes.NewReader(p.Data))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Error("outside the frame is not transparent")
	}
	if got, want := color.NRGBAModel.Convert(img.At(6, 5)), color.NRGBAModel.Convert(palette.Plan9[200]); got != want {
		t.Errorf("inside the frame: %v, want %v", got, want)
	}
}
