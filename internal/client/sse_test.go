package client

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestSSEReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		stream string
		want   []sseEvent
		err    error
	}{
		{
			name:   "difesa event",
			stream: ": difesa event stream\n\nid: e1\nevent: alert.received\ndata: {\"count\":1}\n\n",
			want:   []sseEvent{{"e1", "alert.received", `{"count":1}`}},
			err:    io.EOF,
		},
		{
			name:   "keep-alives between events",
			stream: ": keep-alive\n\n: keep-alive\n\nevent: a\ndata: 1\n\n: keep-alive\n\nevent: b\ndata: 2\n\n",
			want:   []sseEvent{{"", "a", "1"}, {"", "b", "2"}},
			err:    io.EOF,
		},
		{
			name:   "CRLF and multi-line data",
			stream: "event: x\r\ndata: one\r\ndata:two\r\n\r\n",
			want:   []sseEvent{{"", "x", "one\ntwo"}},
			err:    io.EOF,
		},
		{
			name:   "no data is not dispatched",
			stream: "event: x\nid: 3\n\ndata: y\n\n",
			want:   []sseEvent{{"", "message", "y"}},
			err:    io.EOF,
		},
		{
			name:   "unknown fields and a colon in the value",
			stream: "retry: 10\nfoo\nevent: x\ndata: a: b\n\n",
			want:   []sseEvent{{"", "x", "a: b"}},
			err:    io.EOF,
		},
		{
			name:   "event cut by the end of the stream is dropped",
			stream: "event: x\ndata: 1\n\nevent: y\ndata: 2\n",
			want:   []sseEvent{{"", "x", "1"}},
			err:    io.EOF,
		},
		{
			name:   "line cut by the end of the stream",
			stream: "event: x\ndata: 1\n\nevent: y\nda",
			want:   []sseEvent{{"", "x", "1"}},
			err:    io.EOF,
		},
		{
			name:   "too large",
			stream: "data: " + strings.Repeat("a", maxEventSize) + "\n\n",
			err:    ErrEventTooLarge,
		},
		{
			name:   "too large across lines",
			stream: strings.Repeat("data: "+strings.Repeat("a", 1000)+"\n", 100) + "\n",
			err:    ErrEventTooLarge,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// One byte at a time too: every line arrives in pieces.
			for _, r := range []io.Reader{strings.NewReader(tt.stream), iotest.OneByteReader(strings.NewReader(tt.stream))} {
				sr := newSSEReader(r)
				var got []sseEvent
				var err error
				for {
					var ev sseEvent
					if ev, err = sr.next(); err != nil {
						break
					}
					got = append(got, ev)
				}
				if !errors.Is(err, tt.err) {
					t.Errorf("error %v, want %v", err, tt.err)
				}
				if len(got) != len(tt.want) {
					t.Fatalf("got %q, want %q", got, tt.want)
				}
				for i := range got {
					if got[i] != tt.want[i] {
						t.Errorf("event %d: %q, want %q", i, got[i], tt.want[i])
					}
				}
			}
		})
	}
}

func FuzzSSEReader(f *testing.F) {
	f.Add(": difesa event stream\n\nid: msg_x\nevent: report.received\ndata: {\"id\":\"msg_x\",\"hub\":\"demo\",\"type\":\"report.received\",\"count\":1,\"urgent\":false}\n\n")
	f.Add("event: expired\ndata: {}\n\n")
	f.Add(": keep-alive\r\n\r\ndata:a\rdata:b\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		sr := newSSEReader(strings.NewReader(s))
		total := 0
		for {
			ev, err := sr.next()
			if err != nil {
				break
			}
			total += len(ev.data)
			if len(ev.data) > maxEventSize || total > len(s) {
				t.Fatalf("event data of %d bytes from a stream of %d", len(ev.data), len(s))
			}
		}
	})
}
