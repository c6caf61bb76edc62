package daemon

import (
	"bytes"
	"encoding/json"
	"regexp"
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
