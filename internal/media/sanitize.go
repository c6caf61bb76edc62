package media

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
)

const (
	// MaxBytes bounds the file given to [Sanitize].
	MaxBytes = 64 << 20
	// MaxPixels bounds the declared width times height.
	MaxPixels = 40_000_000
	// MaxSide bounds each of width and height.
	MaxSide = 30_000
	// jpegQuality is the quality of re-encoded JPEG previews.
	jpegQuality = 90
)

// Preview is a re-encoded image, safe to show inline.
type Preview struct {
	// Data is the new image: pixels only, no metadata.
	Data []byte
	// ContentType is "image/png" or "image/jpeg".
	ContentType string
	// Width and Height are the image's size in pixels.
	Width, Height int
	// Source is the original's format: "png", "jpeg" or "gif".
	Source string
	// GPS says whether the original carried GPS coordinates in EXIF data:
	// the sender may not know that their photo says where it was taken.
	GPS bool
	// SHA256 is the hash of the original bytes.
	SHA256 [sha256.Size]byte
}

type format struct {
	name         string
	decodeConfig func(io.Reader) (image.Config, error)
	decode       func(io.Reader) (image.Image, error)
	walk         func([]byte) (structure, error)
}

// structure is what a walk learns from a file's layout.
type structure struct {
	end  int      // offset just after the image's last byte
	exif [][]byte // TIFF-structured EXIF blocks
}

var formats = []struct {
	magic string
	format
}{
	{"\x89PNG\r\n\x1a\n", format{"png", png.DecodeConfig, png.Decode, walkPNG}},
	{"\xff\xd8\xff", format{"jpeg", jpeg.DecodeConfig, jpeg.Decode, walkJPEG}},
	{"GIF87a", format{"gif", gif.DecodeConfig, gif.Decode, walkGIF}},
	{"GIF89a", format{"gif", gif.DecodeConfig, gif.Decode, walkGIF}},
}

// Sanitize checks and re-encodes an image attachment (see the package
// documentation). It never returns any byte of data in the preview.
func Sanitize(data []byte) (Preview, error) {
	if len(data) > MaxBytes {
		return Preview{}, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(data), MaxBytes)
	}
	var f *format
	for i := range formats {
		if bytes.HasPrefix(data, []byte(formats[i].magic)) {
			f = &formats[i].format
			break
		}
	}
	if f == nil {
		return Preview{}, ErrNotImage
	}
	st, err := f.walk(data)
	if err != nil {
		return Preview{}, err
	}
	if st.end != len(data) {
		return Preview{}, fmt.Errorf("%w: %d bytes after the %s image", ErrTrailingData, len(data)-st.end, f.name)
	}
	cfg, err := f.decodeConfig(bytes.NewReader(data))
	if err != nil {
		return Preview{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Preview{}, fmt.Errorf("%w: empty image", ErrMalformed)
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return Preview{}, fmt.Errorf("%w: %d×%d pixels, at most %d", ErrTooManyPixels, cfg.Width, cfg.Height, MaxPixels)
	}
	img, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return Preview{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	screen := image.Rect(0, 0, cfg.Width, cfg.Height)
	if b := img.Bounds(); b != screen {
		// A GIF's first frame may cover part of its screen: it is drawn
		// where it belongs on a transparent canvas of the declared size.
		if f.name != "gif" || !b.In(screen) {
			return Preview{}, fmt.Errorf("%w: the pixels do not match the declared size", ErrMalformed)
		}
		canvas := image.NewNRGBA(screen)
		draw.Draw(canvas, b, img, b.Min, draw.Src)
		img = canvas
	}
	p := Preview{Width: cfg.Width, Height: cfg.Height, Source: f.name, SHA256: sha256.Sum256(data)}
	for _, e := range st.exif {
		if exifHasGPS(e) {
			p.GPS = true
		}
	}
	var out bytes.Buffer
	if f.name == "jpeg" {
		p.ContentType = "image/jpeg"
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: jpegQuality})
	} else {
		p.ContentType = "image/png"
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&out, img)
	}
	if err != nil {
		return Preview{}, fmt.Errorf("media: unable to encode the preview: %w", err)
	}
	p.Data = out.Bytes()
	return p, nil
}
