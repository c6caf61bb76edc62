package media

import "errors"

var (
	// ErrNotImage means the data is not a PNG, JPEG or GIF: SVG, HTML,
	// WebP and everything else are never previewed.
	ErrNotImage = errors.New("media: not a PNG, JPEG or GIF image")

	// ErrTooLarge means the file is larger than [MaxBytes].
	ErrTooLarge = errors.New("media: image file too large to preview")

	// ErrTooManyPixels means the image declares more than [MaxPixels]
	// pixels (or a side longer than [MaxSide]): a decompression bomb, or a
	// picture too large to preview.
	ErrTooManyPixels = errors.New("media: image too large to preview")

	// ErrTrailingData means bytes follow the end of the image: the file is
	// something else as well (a polyglot), and is not previewed.
	ErrTrailingData = errors.New("media: data after the end of the image")

	// ErrMalformed means the image's structure or pixel data is broken.
	ErrMalformed = errors.New("media: malformed image")
)
