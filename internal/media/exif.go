package media

import "encoding/binary"

const (
	tagGPSIFD       = 0x8825
	tagGPSLatitude  = 0x0002
	tagGPSLongitude = 0x0004
	// maxIFDEntries bounds one directory; real ones hold a few dozen.
	maxIFDEntries = 1024
)

// exifHasGPS reports whether a TIFF-structured EXIF block holds GPS
// coordinates: a GPS directory (tag 0x8825 in IFD0) with a latitude or a
// longitude. A GPS directory that cannot be read counts as holding them:
// the warning errs on the side of the sender.
func exifHasGPS(tiff []byte) bool {
	if len(tiff) < 8 {
		return false
	}
	var bo binary.ByteOrder
	switch string(tiff[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return false
	}
	var gpsIFD uint32
	pointer := false
	if !eachEntry(tiff, bo, bo.Uint32(tiff[4:]), func(tag uint16, value uint32) {
		if tag == tagGPSIFD {
			gpsIFD, pointer = value, true
		}
	}) || !pointer {
		return false
	}
	coordinates := false
	readable := eachEntry(tiff, bo, gpsIFD, func(tag uint16, _ uint32) {
		if tag == tagGPSLatitude || tag == tagGPSLongitude {
			coordinates = true
		}
	})
	return coordinates || !readable
}

// eachEntry calls fn with the tag and the value field of each entry of the
// directory at off, and reports whether the directory lies within tiff.
func eachEntry(tiff []byte, bo binary.ByteOrder, off uint32, fn func(tag uint16, value uint32)) bool {
	if int64(off) > int64(len(tiff))-2 {
		return false
	}
	n := int64(bo.Uint16(tiff[off:]))
	if n > maxIFDEntries || int64(off)+2+12*n > int64(len(tiff)) {
		return false
	}
	for i := range n {
		e := tiff[int64(off)+2+12*i:]
		fn(bo.Uint16(e), bo.Uint32(e[8:]))
	}
	return true
}
