package bundle

// Limits bounds what [Read] accepts from a hostile plaintext. A zero or
// negative field means the field of [DefaultLimits].
type Limits struct {
	// MaxEntries bounds the number of tar entries, envelope.json and
	// report.json included.
	MaxEntries int
	// MaxFileSize bounds each attachment, MaxTotalSize their sum.
	MaxFileSize, MaxTotalSize int64
	// MaxJSONSize bounds envelope.json and report.json each.
	MaxJSONSize int64
	// MaxMessageSize bounds how much of a plaintext that is not a bundle
	// is returned in [Opened.Message].
	MaxMessageSize int64
}

// DefaultLimits are the limits [Write] and [Size] enforce on a sender, and
// the ones a reader should use unless it has reason to differ.
var DefaultLimits = Limits{
	MaxEntries:     1000,
	MaxFileSize:    2 << 30,
	MaxTotalSize:   2 << 30,
	MaxJSONSize:    1 << 20,
	MaxMessageSize: 1 << 20,
}

func (l Limits) withDefaults() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultLimits.MaxEntries
	}
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = DefaultLimits.MaxFileSize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = DefaultLimits.MaxTotalSize
	}
	if l.MaxJSONSize <= 0 {
		l.MaxJSONSize = DefaultLimits.MaxJSONSize
	}
	if l.MaxMessageSize <= 0 {
		l.MaxMessageSize = DefaultLimits.MaxMessageSize
	}
	return l
}
