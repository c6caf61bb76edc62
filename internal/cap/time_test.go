package cap

import (
	"errors"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   time.Time
		offset int
		ok     bool
	}{
		{"2026-11-23T14:00:00+01:00", time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC), 3600, true},
		{"2026-11-23T13:00:00-00:00", time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC), 0, true},
		{"2026-11-23T13:00:00+00:00", time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC), 0, true},
		{"2026-11-23T08:30:00-04:30", time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC), -4*3600 - 1800, true},
		{"2028-02-29T00:00:00+14:00", time.Date(2028, 2, 28, 10, 0, 0, 0, time.UTC), 14 * 3600, true},
		{"2000-02-29T23:59:59-14:00", time.Date(2000, 3, 1, 13, 59, 59, 0, time.UTC), -14 * 3600, true},
		{"0001-01-01T00:00:00-00:00", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), 0, true},
		{"9999-12-31T23:59:59-00:00", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), 0, true},
		{in: ""},
		{in: "2026-11-23"},
		{in: "2026-11-23T14:00:00"},
		{in: "2026-11-23T14:00:00Z"},
		{in: "2026-11-23T14:00:00z"},
		{in: "2026-11-23t14:00:00+01:00"},
		{in: "2026-11-23T14:00:00.000+01:00"},
		{in: "2026-11-23T14:00:00,01:00"},
		{in: "2026-11-23T14:00:00+01"},
		{in: "2026-11-23T14:00:00+0100"},
		{in: "2026-11-23T14:00+01:00"},
		{in: "26-11-23T14:00:00+01:00"},
		{in: "+2026-11-23T14:00:00+01:00"},
		{in: "12026-11-23T14:00:00+01:00"},
		{in: "0000-01-01T00:00:00+01:00"},
		{in: "2026-00-23T14:00:00+01:00"},
		{in: "2026-13-23T14:00:00+01:00"},
		{in: "2026-11-00T14:00:00+01:00"},
		{in: "2026-11-31T14:00:00+01:00"},
		{in: "2026-02-29T14:00:00+01:00"},
		{in: "1900-02-29T14:00:00+01:00"},
		{in: "2026-11-23T24:00:00+01:00"},
		{in: "2026-11-23T14:60:00+01:00"},
		{in: "2026-11-23T14:00:60+01:00"},
		{in: "2026-11-23T14:00:00+14:01"},
		{in: "2026-11-23T14:00:00+15:00"},
		{in: "2026-11-23T14:00:00+01:60"},
		{in: " 2026-11-23T14:00:00+01:00"},
		{in: "2026-11-23T14:00:00+01:00 "},
		{in: "2026-11-23T14:00:00+01:00\n"},
		{in: "２０２６-11-23T14:00:00+01:00"},
		{in: "2026-11-23T14:00:00\u221201:00"},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if !tt.ok {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeBadTime {
				t.Errorf("ParseTime(%q) = %v, %v; want a %s error", tt.in, got, err, CodeBadTime)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTime(%q): %v", tt.in, err)
			continue
		}
		if _, off := got.Zone(); !got.Equal(tt.want) || off != tt.offset {
			t.Errorf("ParseTime(%q) = %v (offset %d), want %v (offset %d)", tt.in, got, off, tt.want, tt.offset)
		}
	}
}

func TestFormatTime(t *testing.T) {
	t.Parallel()
	lmt := time.FixedZone("LMT", 3600+9*60+21) // an offset with seconds
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC), "2026-11-23T13:00:00-00:00"},
		{time.Date(2026, 11, 23, 14, 0, 0, 0, time.FixedZone("CET", 3600)), "2026-11-23T14:00:00+01:00"},
		{time.Date(2026, 11, 23, 8, 30, 0, 0, time.FixedZone("", -4*3600-1800)), "2026-11-23T08:30:00-04:30"},
		{time.Date(2026, 11, 23, 13, 0, 0, 999999999, time.FixedZone("", 0)), "2026-11-23T13:00:00-00:00"},
		{time.Date(2026, 11, 23, 13, 0, 0, 0, lmt), "2026-11-23T11:50:39-00:00"},
		{time.Date(2026, 11, 23, 13, 0, 0, 0, time.FixedZone("", 15*3600)), "2026-11-22T22:00:00-00:00"},
		{time.Date(33, 1, 2, 3, 4, 5, 0, time.UTC), "0033-01-02T03:04:05-00:00"},
	}
	for _, tt := range tests {
		got := FormatTime(tt.in)
		if got != tt.want {
			t.Errorf("FormatTime(%v) = %q, want %q", tt.in, got, tt.want)
			continue
		}
		back, err := ParseTime(got)
		if err != nil || !back.Equal(tt.in.Truncate(time.Second)) {
			t.Errorf("ParseTime(FormatTime(%v)) = %v, %v", tt.in, back, err)
		}
	}
}

func TestExpires(t *testing.T) {
	t.Parallel()
	infos := func(expires ...string) *Alert {
		a := &Alert{}
		for _, e := range expires {
			a.Infos = append(a.Infos, Info{Expires: e})
		}
		return a
	}
	tests := []struct {
		name  string
		alert *Alert
		want  string // "" if it does not expire
	}{
		{"no info", infos(), ""},
		{"one", infos("2026-11-24T14:00:00+01:00"), "2026-11-24T14:00:00+01:00"},
		{"latest wins across offsets", infos("2026-11-24T14:00:00+01:00", "2026-11-24T13:30:00-00:00", "2026-11-24T20:00:00+08:00"), "2026-11-24T13:30:00-00:00"},
		{"one block without expiry", infos("2026-11-24T14:00:00+01:00", ""), ""},
		{"unparsable", infos("tomorrow"), ""},
		{"before year 1 in UTC", infos("0001-01-01T00:00:00+14:00"), "0001-01-01T00:00:00+14:00"},
	}
	for _, tt := range tests {
		got, ok := tt.alert.Expires()
		if tt.want == "" {
			if ok {
				t.Errorf("%s: Expires = %v, true; want false", tt.name, got)
			}
			continue
		}
		want, _ := ParseTime(tt.want)
		if !ok || !got.Equal(want) {
			t.Errorf("%s: Expires = %v, %v; want %v, true", tt.name, got, ok, want)
		}
	}
	rich, err := Check([]byte(testdata(t, "rich.xml")))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := rich.Expires(); !ok || FormatTime(got) != "2026-11-26T08:00:00-00:00" {
		t.Errorf("rich.xml: Expires = %v, %v", got, ok)
	}
}
