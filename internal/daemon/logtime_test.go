package daemon

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/testutil/instants"
)

// TestLogTimeIsTheHour logs in both formats and reads the time back: the
// hour in UTC, nothing finer and no zone. A log line is written when
// something happens, often something a defender did (an upload that
// failed, a check-in timer that fired): its precise time would be a
// precise time of that defender, and the server's zone says where it runs.
// Before the fix every line carried the nanosecond, in time.Local.
func TestLogTimeIsTheHour(t *testing.T) {
	if !instants.InZone(t, "Pacific/Kiritimati") {
		return
	}
	checkLogTimes(t)
}

func TestLogTimeIsTheHourInUTC(t *testing.T) {
	t.Parallel()
	checkLogTimes(t)
}

var textTime = regexp.MustCompile(`^time=(\S+) `)

func checkLogTimes(t *testing.T) {
	t.Helper()
	for _, format := range []string{"json", "text"} {
		var buf bytes.Buffer
		before := time.Now().UTC().Truncate(time.Hour)
		NewLogger(&buf, format, "debug").Debug("check-ins missed", "count", 1)
		after := time.Now().UTC().Truncate(time.Hour)
		var stamp string
		if format == "json" {
			var line struct {
				Time string `json:"time"`
			}
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("json: %v: %s", err, buf.Bytes())
			}
			stamp = line.Time
		} else if m := textTime.FindSubmatch(buf.Bytes()); m != nil {
			stamp = string(m[1])
		}
		got, err := time.Parse(time.RFC3339Nano, stamp)
		if err != nil || (!got.Equal(before) && !got.Equal(after)) || (stamp != before.Format(time.RFC3339) && stamp != after.Format(time.RFC3339)) {
			t.Errorf("%s: time %q (%v), want the hour in UTC, %s", format, stamp, err, after.Format(time.RFC3339))
		}
	}
}

// TestLogAttrsAreTheHour: a time or a duration passed as an attribute, in
// any group, is written rounded down to the hour too.
func TestLogAttrsAreTheHour(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 14, 5, 2, 123456789, time.FixedZone("UTC+14", 14*3600))
	for _, format := range []string{"json", "text"} {
		var buf bytes.Buffer
		NewLogger(&buf, format, "debug").Debug("a line", "at", at, "took", 1234*time.Millisecond,
			"waited", 90*time.Minute, slog.Group("g", "when", at, "for", 3*time.Second))
		out := buf.String()
		for _, leak := range []string{"14:05", "00:05", "05:02", ".123", "1.234", "1234", "1h30m", "3s"} {
			if strings.Contains(out, leak) {
				t.Errorf("%s: %q in %s", format, leak, out)
			}
		}
		if !strings.Contains(out, "2026-11-23T00:00:00Z") || !strings.Contains(out, "1h0m0s") {
			t.Errorf("%s: the hour and the whole hours are missing: %s", format, out)
		}
	}
}
