package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

func picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 13), uint8(x ^ y), 255})
		}
	}
	return img
}

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, picture(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, picture(w, h), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifBytes(t testing.TB, w, h, frames int) []byte {
	t.Helper()
	g := &gif.GIF{}
	for i := range frames {
		p := image.NewPaletted(image.Rect(0, 0, w, h), palette.Plan9)
		for y := range h {
			for x := range w {
				p.SetColorIndex(x, y, uint8(x+y+i))
			}
		}
		g.Image = append(g.Image, p)
		g.Delay = append(g.Delay, 10)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngChunk builds one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// insertPNGChunk puts a chunk right after IHDR.
func insertPNGChunk(p []byte, chunk []byte) []byte {
	ihdrEnd := 8 + 12 + 13
	out := append([]byte(nil), p[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, p[ihdrEnd:]...)
}

// order is a byte order that can also append.
type order interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// ifdEntry is one 12-byte TIFF directory entry.
type ifdEntry struct {
	tag, typ     uint16
	count, value uint32
}

// tiffWithGPS builds a TIFF-structured EXIF block whose IFD0 has a GPS
// pointer to a GPS directory with the given entries.
func tiffWithGPS(bo order, gps []ifdEntry) []byte {
	var t []byte
	if bo.String() == binary.LittleEndian.String() {
		t = append(t, "II*\x00"...)
	} else {
		t = append(t, "MM\x00*"...)
	}
	t = bo.AppendUint32(t, 8) // IFD0 at 8
	ifd0 := []ifdEntry{
		{0x010f, 2, 4, 0},                   // Make (value unread)
		{tagGPSIFD, 4, 1, 8 + 2 + 2*12 + 4}, // GPS IFD right after IFD0
	}
	t = appendIFD(t, bo, ifd0)
	return appendIFD(t, bo, gps)
}

func appendIFD(t []byte, bo order, entries []ifdEntry) []byte {
	t = bo.AppendUint16(t, uint16(len(entries)))
	for _, e := range entries {
		t = bo.AppendUint16(t, e.tag)
		t = bo.AppendUint16(t, e.typ)
		t = bo.AppendUint32(t, e.count)
		t = bo.AppendUint32(t, e.value)
	}
	return bo.AppendUint32(t, 0) // no next IFD
}

// withAPP1 inserts an EXIF APP1 segment holding tiff right after SOI.
func withAPP1(j []byte, tiff []byte) []byte {
	seg := []byte{0xff, 0xe1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(2+6+len(tiff)))
	seg = append(seg, "Exif\x00\x00"...)
	seg = append(seg, tiff...)
	out := append([]byte(nil), j[:2]...)
	out = append(out, seg...)
	return append(out, j[2:]...)
}

var gpsEntries = []ifdEntry{
	{0x0001, 2, 2, 'N'}, // GPSLatitudeRef
	{tagGPSLatitude, 5, 3, 0},
	{0x0003, 2, 2, 'E'}, // GPSLongitudeRef
	{tagGPSLongitude, 5, 3, 0},
}
