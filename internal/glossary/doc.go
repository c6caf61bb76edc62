// Package glossary holds no code: its test keeps the words of every
// message catalogue (the web pages' internal/web/locales, the
// notifications' internal/notify/messages.json) in line with the glossary
// of docs/glossary.json, so that a report, a check-in or a hub is called
// the same thing on every page and in every notification of a language,
// and words known to mislead (an answering machine for a responder, signing
// up for a check-in) cannot come back. docs/glossary.md presents it.
package glossary
