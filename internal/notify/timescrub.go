package notify

import "regexp"

// timeLike matches what a receiver's or a mail server's answer may carry
// of the moment it was sent: dates with a time of day (RFC 3339, HTTP and
// SMTP dates), times of day, and Unix times in seconds or milliseconds
// (such as the webhook-timestamp a receiver echoes when it refuses one).
// For an urgent event, that moment is the defender's.
var timeLike = regexp.MustCompile(
	`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?` + // 2026-11-23T14:05:02.123Z
		`|\b\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\b` + // 14:05:02, 14:05
		`|\b1\d{9}(\d{3})?`) // 1767225600, 1767225600123

// scrubTimes replaces every time-like part of s. Errors pass through it
// before they reach a log line, the outbox (on disk) or `difesad outbox`.
func scrubTimes(s string) string {
	return timeLike.ReplaceAllString(s, "[time]")
}
