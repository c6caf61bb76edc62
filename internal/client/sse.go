package client

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// ErrEventTooLarge is returned when an event of a hub's event stream is
// larger than the client is willing to hold: no hub sends one.
var ErrEventTooLarge = errors.New("event stream: event too large")

// maxEventSize bounds one event of an event stream (its lines together).
const maxEventSize = 64 << 10

// sseEvent is one event of a text/event-stream.
type sseEvent struct {
	id, typ, data string
}

// sseReader parses a text/event-stream, as the WHATWG HTML standard
// ("Server-sent events") defines it: lines ending in LF or CRLF, comments
// starting with ':', fields "name: value", events ended by a blank line.
// The "retry" field is ignored: the caller decides when to reconnect.
type sseReader struct {
	br *bufio.Reader
}

func newSSEReader(r io.Reader) *sseReader {
	return &sseReader{br: bufio.NewReaderSize(r, 4096)}
}

// next returns the next event. An event cut short by the end of the
// stream is dropped, as the standard says, and next returns the reader's
// error (io.EOF when the server closed the stream).
func (r *sseReader) next() (sseEvent, error) {
	var (
		ev      sseEvent
		data    []byte
		hasData bool
		size    int
	)
	for {
		line, err := r.line(maxEventSize - size)
		if err != nil {
			return sseEvent{}, err
		}
		size += len(line) + 1
		if len(line) == 0 {
			if !hasData {
				// Only comments or fields without data: nothing to
				// dispatch (keep-alives look like this).
				ev, size = sseEvent{}, 0
				continue
			}
			ev.data = string(bytes.TrimSuffix(data, []byte("\n")))
			if ev.typ == "" {
				ev.typ = "message"
			}
			return ev, nil
		}
		if line[0] == ':' {
			continue
		}
		name, value, found := bytes.Cut(line, []byte(":"))
		if found {
			value = bytes.TrimPrefix(value, []byte(" "))
		}
		switch string(name) {
		case "event":
			ev.typ = string(value)
		case "data":
			data = append(append(data, value...), '\n')
			hasData = true
		case "id":
			if bytes.IndexByte(value, 0) < 0 {
				ev.id = string(value)
			}
		}
	}
}

// line reads one line, without its LF or CRLF, of at most limit bytes.
func (r *sseReader) line(limit int) ([]byte, error) {
	var line []byte
	for {
		frag, err := r.br.ReadSlice('\n')
		if len(line)+len(frag) > limit+1 {
			return nil, ErrEventTooLarge
		}
		line = append(line, frag...)
		switch {
		case err == nil:
			line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
			return line, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return nil, err
		}
	}
}
