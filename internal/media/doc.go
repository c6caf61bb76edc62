// Package media makes image previews that cannot attack the desk.
//
// An attachment is whatever a stranger chose to send. [Sanitize] accepts
// only PNG, JPEG and GIF (its first frame), recognised by their signature
// and walked structurally from the first byte to the last; it checks the
// declared size before decoding anything, decodes with Go's own decoders,
// and encodes a new image from the pixels alone. The preview thus carries
// no metadata, no comment, no trailing payload and nothing a browser could
// sniff as another type. It also reports, for the responder's benefit,
// whether the original carried GPS coordinates in its EXIF data, and the
// SHA-256 of the original bytes, which stay the evidence.
//
// # Threat model
//
// A hostile file may be a decompression bomb (a tiny file declaring a huge
// image), a polyglot (an image that is also an HTML page, a script or an
// archive), an SVG with script, or plain garbage aimed at a decoder. Bombs
// are refused from their header ([ErrTooManyPixels]), polyglots by the
// structural walk ([ErrTrailingData]), anything that is not one of the three
// formats by its signature ([ErrNotImage]). Go's decoders are memory safe;
// the pixel cap bounds their memory.
//
// # Caveats
//
// Refusing bytes after the end of an image also refuses some genuine
// photos (phones that append a video after the JPEG): the desk then offers
// the original as a download only. EXIF orientation is not applied.
package media
