package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"testing"
)

// FuzzSanitize feeds hostile files to Sanitize: it must not panic, must
// fail with one of its documented errors, and whatever it accepts must
// come out as a fresh image within the caps that shares no trailing bytes
// with the input.
func FuzzSanitize(f *testing.F) {
	f.Add(pngBytes(f, 5, 3))
	f.Add(jpegBytes(f, 5, 3))
	f.Add(gifBytes(f, 5, 3, 2))
	f.Add(withAPP1(jpegBytes(f, 4, 4), tiffWithGPS(binary.LittleEndian, gpsEntries)))
	f.Add(insertPNGChunk(pngBytes(f, 4, 4), pngChunk("eXIf", tiffWithGPS(binary.BigEndian, gpsEntries))))
	f.Add(bombPNG(100_000, 100_000))
	f.Add(append(pngBytes(f, 2, 2), "<html>"...))
	f.Add([]byte("<svg/>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Sanitize(data)
		if err != nil {
			for _, known := range []error{ErrNotImage, ErrTooLarge, ErrTooManyPixels, ErrTrailingData, ErrMalformed} {
				if errors.Is(err, known) {
					return
				}
			}
			t.Fatalf("undocumented error %v", err)
		}
		if int64(p.Width)*int64(p.Height) > MaxPixels {
			t.Fatalf("accepted %d×%d", p.Width, p.Height)
		}
		img, _, err := image.Decode(bytes.NewReader(p.Data))
		if err != nil {
			t.Fatalf("the preview does not decode: %v", err)
		}
		if img.Bounds().Dx() != p.Width || img.Bounds().Dy() != p.Height {
			t.Fatal("the preview's size is not the one reported")
		}
		if tail := data[max(0, len(data)-16):]; len(data) > 64 && bytes.HasSuffix(p.Data, tail) {
			t.Fatal("the preview ends with the original's bytes")
		}
	})
}

// FuzzEXIF feeds hostile TIFF blocks to the EXIF reader, alone: it must
// never panic nor read out of bounds.
func FuzzEXIF(f *testing.F) {
	f.Add(tiffWithGPS(binary.LittleEndian, gpsEntries))
	f.Add(tiffWithGPS(binary.BigEndian, gpsEntries))
	f.Add(tiffWithGPS(binary.BigEndian, nil))
	f.Add([]byte("II*\x00\xff\xff\xff\xff"))
	f.Add([]byte("MM\x00*\x00\x00\x00\x08\xff\xff"))
	f.Fuzz(func(t *testing.T, tiff []byte) {
		exifHasGPS(tiff)
	})
}
