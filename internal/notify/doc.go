// Package notify tells a hub's responders that something arrived, without
// saying what. The server holds only ciphertext; what it can still give
// away is when, and how often, defenders write. Notifications go to third
// parties (a webhook receiver, an ntfy server, mail servers), so they say
// only which hub, which type of event, how many, where to look, and a
// stable id; docs/notifications.md shows every message.
//
// Events come from the store's outbox (internal/store/outbox.go), written
// in the same transaction as what they announce. A [Worker] delivers them:
//
//   - Urgent events (alerts, missed check-ins, duress) leave at once, on
//     every channel; [Worker.Kick] wakes the worker after a commit.
//   - Other events are batched per channel: at most one notification per
//     batch window (default 10 minutes) and event type, carrying the count.
//     Windows are aligned on the clock, so a notification's time tells in
//     which window something arrived, nothing finer.
//   - A batch's id is written into its events before the first attempt, so
//     retries and restarts resend the same id (at least once; receivers
//     deduplicate on the id).
//   - Failed attempts are retried with exponential backoff and jitter,
//     kept in memory only, until the lifetime (default 24 hours from the
//     hour the event was created) runs out; the delivery is then marked
//     failed with its last error.
//   - Events finished on every channel of their hub, and events of hubs
//     without channels, are removed. Every event is also handed to the
//     [Broker], for the responders' live event stream.
//
// [TestChannels] sends a test notification for `difesad notify test`, and
// [OutboxReport] summarises the outbox for `difesad outbox`.
//
// # Threat model
//
// Receivers and everyone on the way (the ntfy server's operator, the mail
// providers of sender and recipients, the webhook host) learn: that the
// hub exists and its id, its URL, the event types, counts per window, and
// the time of each notification (for urgent events, within a second of the
// event). They never learn a submission's content, category, size or
// exact time of a non-urgent event, nor, unless a webhook channel opts in,
// submission ids. Each channel's notifications have their own random ids,
// so two receivers cannot match theirs by id. Through a socks5h proxy
// (Tor), receivers do not learn the server's address and names are
// resolved by the proxy. Webhooks are signed (Standard Webhooks), so a
// receiver can tell them from forgeries; ntfy and email are not signed.
//
// # Caveats
//
// An urgent notification's time is the event's time: that is the point of
// it. Counts per window still show activity levels. The lifetime counts
// from the hour an event was created, so it is up to an hour shorter than
// set. Failed events leave the outbox once every channel is done, so
// `difesad outbox` shows failures only while another channel is still
// pending; the log has a warning for each delivery given up. An urgent
// delivery writes no log line when it happens, at any level, because
// whatever collects the log stamps each line with the moment it arrives:
// the counts are logged at each whole hour, at debug level. Batches are
// logged at debug level as they go, at the end of their window. Errors
// lose anything time-like a receiver put in them before they reach a log
// or the outbox.
package notify
