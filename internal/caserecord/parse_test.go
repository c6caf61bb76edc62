package caserecord

import (
	"errors"
	"strings"
	"testing"
)

const validRecord = `{"v":1,"assignee":"Ana (lawyer)","labels":["detention","urgent"],"sub_status":"waiting for documents","follow_up":"2028-02-29","links":[{"kind":"duplicate","target":"s1"}],"notes":[{"id":"00112233445566ff","author":"Ana (lawyer)","hour":"2026-12-03T13:00:00Z","text":"called the family"}],"history":[{"author":"Ana (lawyer)","hour":"2026-12-03T13:00:00Z","field":"assignee","old":"","new":"Ana (lawyer)"}]}`

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", MaxNoteText+1)
	cases := []struct {
		name, in string
		want     error
		msg      string
	}{
		{"unknown member", `{"v":1,"secret":1}`, ErrMalformed, `unknown field "secret"`},
		{"duplicate member", `{"v":1,"assignee":"a","assignee":"b"}`, ErrMalformed, `"assignee" appears twice`},
		{"duplicate in a note", `{"v":1,"notes":[{"id":"00112233445566ff","id":"00112233445566fe"}]}`, ErrMalformed, `"id" appears twice`},
		{"trailing data", `{"v":1} {}`, ErrMalformed, "data after the record"},
		{"wrong version", `{"v":2}`, ErrMalformed, "version 2"},
		{"no version", `{}`, ErrMalformed, "version 0"},
		{"not an object", `[]`, ErrMalformed, ""},
		{"precise time", `{"v":1,"notes":[{"id":"00112233445566ff","author":"a","hour":"2026-12-03T13:05:00Z","text":"x"}]}`, ErrMalformed, "not YYYY-MM-DDTHH:00:00Z"},
		{"local time", `{"v":1,"notes":[{"id":"00112233445566ff","author":"a","hour":"2026-12-03T13:00:00+01:00","text":"x"}]}`, ErrMalformed, "not YYYY-MM-DDTHH:00:00Z"},
		{"bad day", `{"v":1,"follow_up":"2027-02-29"}`, ErrMalformed, "not YYYY-MM-DD"},
		{"bad link kind", `{"v":1,"links":[{"kind":"friend","target":"s1"}]}`, ErrMalformed, "kind"},
		{"bad link target", `{"v":1,"links":[{"kind":"duplicate","target":"../x"}]}`, ErrMalformed, "not a submission id"},
		{"unsorted labels", `{"v":1,"labels":["b","a"]}`, ErrMalformed, "not sorted"},
		{"repeated label", `{"v":1,"labels":["a","a"]}`, ErrMalformed, "not sorted or repeated"},
		{"control in label", "{\"v\":1,\"labels\":[\"a\\u0007\"]}", ErrMalformed, "unprintable"},
		{"note id twice", `{"v":1,"notes":[{"id":"00112233445566ff","author":"a","hour":"2026-12-03T13:00:00Z","text":"x"},{"id":"00112233445566ff","author":"a","hour":"2026-12-03T14:00:00Z","text":"y"}]}`, ErrMalformed, "appears twice"},
		{"note too long", `{"v":1,"notes":[{"id":"00112233445566ff","author":"a","hour":"2026-12-03T13:00:00Z","text":"` + long + `"}]}`, ErrTooLarge, "over the 8192 of a note"},
		{"empty note", `{"v":1,"notes":[{"id":"00112233445566ff","author":"a","hour":"2026-12-03T13:00:00Z","text":""}]}`, ErrMalformed, "text empty"},
		{"unknown field in history", `{"v":1,"history":[{"author":"a","hour":"2026-12-03T13:00:00Z","field":"labels","old":"","new":"x"}]}`, ErrMalformed, "has no history"},
		{"too large", `{"v":1,"assignee":"` + strings.Repeat("x", MaxRecordSize) + `"}`, ErrTooLarge, "over the 196608 of a case record"},
		{"too deep", `{"v":1,"links":[[[[1]]]]}`, ErrMalformed, "nested too deep"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.in))
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("Parse = %v, want %v containing %q", err, c.want, c.msg)
			}
		})
	}
}

func TestParseLimitsOfCounts(t *testing.T) {
	t.Parallel()
	r := New()
	for range MaxNotes {
		if _, err := r.AddNote("a", "2026-12-03T13:00:00Z", "n", ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.AddNote("a", "2026-12-03T13:00:00Z", "one too many", ""); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("note %d: %v, want ErrTooLarge", MaxNotes+1, err)
	}
	h := NewHub()
	for i := range MaxHubLabels + 1 {
		h.Labels = append(h.Labels, strings.Repeat("l", i+1))
	}
	if _, err := h.Marshal(); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "labels, over the 64 of a hub") {
		t.Fatalf("hub with %d labels: %v", len(h.Labels), err)
	}
}

func TestParseAcceptsAndRoundTrips(t *testing.T) {
	t.Parallel()
	r, err := Parse([]byte(validRecord))
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != validRecord {
		t.Fatalf("round trip:\n%s\nwant\n%s", b, validRecord)
	}
}

func TestCheckHub(t *testing.T) {
	t.Parallel()
	r, err := Parse([]byte(validRecord))
	if err != nil {
		t.Fatal(err)
	}
	h := &Hub{V: 1, Labels: []string{"detention"}, SubStatuses: []string{"waiting for documents"}}
	if err := r.CheckHub(h); !errors.Is(err, ErrNotInHub) || !strings.Contains(err.Error(), `"urgent"`) {
		t.Fatalf("CheckHub = %v, want the label urgent refused", err)
	}
	h.Labels = append(h.Labels, "urgent")
	if err := r.CheckHub(h); err != nil {
		t.Fatal(err)
	}
}

func TestHourIsCoarse(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"2026-12-03T13:59:59.999+00:00", "2026-12-04T03:29:59+14:00", "2026-12-03T09:59:00-03:30"} {
		tm, err := timeParse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := Hour(tm); got != "2026-12-03T13:00:00Z" {
			t.Errorf("Hour(%s) = %s", in, got)
		}
	}
}
