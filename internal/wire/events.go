package wire

// KindAlert is an urgent alert: the same encrypted bundle as a report, the
// kind being the only thing the defender reveals.
const KindAlert = "alert"

// Notification event types (docs/notifications.md). A notification says
// which hub, which type, how many, and nothing else.
const (
	EventReportReceived   = "report.received"
	EventAlertReceived    = "alert.received"
	EventFollowupReceived = "followup.received"
	EventCheckinMissed    = "checkin.missed"
	EventCheckinDuress    = "checkin.duress"
	EventCheckinResumed   = "checkin.resumed"
	// EventSubmissionUnread reminds responders, once a day, of each
	// submission still new after the hub's warn_unread_after.
	EventSubmissionUnread = "submission.unread"
	EventTest             = "test"
)
