package cap

import (
	"errors"
	"slices"
	"testing"
)

func TestParseReferences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []Reference
		code string
	}{
		{in: "hub.example.org,b-1,2026-11-22T09:30:00+01:00",
			want: []Reference{{"hub.example.org", "b-1", "2026-11-22T09:30:00+01:00"}}},
		{in: "hub.example.org,b-1,2026-11-22T09:30:00+01:00 other.example,b-7,2026-11-21T18:05:00-00:00",
			want: []Reference{{"hub.example.org", "b-1", "2026-11-22T09:30:00+01:00"}, {"other.example", "b-7", "2026-11-21T18:05:00-00:00"}}},
		{in: "", code: CodeBadValue},
		{in: " ", code: CodeBadValue},
		{in: "hub.example.org,b-1", code: CodeBadValue},
		{in: "hub.example.org,b-1,2026-11-22T09:30:00+01:00,x", code: CodeBadValue},
		{in: ",b-1,2026-11-22T09:30:00+01:00", code: CodeBadValue},
		{in: "hub.example.org,,2026-11-22T09:30:00+01:00", code: CodeBadValue},
		{in: "hub.example.org,b&1,2026-11-22T09:30:00+01:00", code: CodeBadValue},
		{in: "hub.example.org,b-1,2026-11-22T09:30:00Z", code: CodeBadTime},
		{in: "hub.example.org,b-1,2026-11-22", code: CodeBadTime},
		{in: "hub.example.org,b-1,2026-11-22T09:30:00+01:00 ", code: CodeBadValue},
		{in: " hub.example.org,b-1,2026-11-22T09:30:00+01:00", code: CodeBadValue},
		{in: "hub.example.org,b-1,2026-11-22T09:30:00+01:00  hub.example.org,b-2,2026-11-22T09:30:00+01:00", code: CodeBadValue},
		{in: "hub.example.org,b-1,2026-11-22T09:30:00+01:00\thub.example.org,b-2,2026-11-22T09:30:00+01:00", code: CodeBadValue},
	}
	for _, tt := range tests {
		got, err := ParseReferences(tt.in)
		if tt.code != "" {
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Errorf("ParseReferences(%q) = %v, %v; want a %s error", tt.in, got, err, tt.code)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("ParseReferences(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		if s := formatReferences(got); s != tt.in {
			t.Errorf("formatReferences(ParseReferences(%q)) = %q", tt.in, s)
		}
	}
}
