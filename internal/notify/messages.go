package notify

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The message catalogue lives in messages.json so that translators edit
// text, not Go. Every language must have every message of "en"
// (messages_test.go checks it, and that placeholders match).
//
//go:embed messages.json
var messagesJSON []byte

// catalogue maps language → message key → plural form → text.
type catalogue map[string]map[string]map[string]string

var messages = mustLoadCatalogue(messagesJSON)

func mustLoadCatalogue(b []byte) catalogue {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		panic("notify: messages.json: " + err.Error()) // embedded, checked by tests
	}
	c := catalogue{}
	for lang, v := range raw {
		if strings.HasPrefix(lang, "_") {
			continue
		}
		var m map[string]map[string]string
		if err := json.Unmarshal(v, &m); err != nil {
			panic(fmt.Sprintf("notify: messages.json: %s: %v", lang, err))
		}
		c[lang] = m
	}
	return c
}

// Languages returns the languages notifications can be written in.
func Languages() []string {
	var out []string
	for l := range messages {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// HasLanguage reports whether lang is one of [Languages].
func HasLanguage(lang string) bool { _, ok := messages[lang]; return ok }

// pluralForm returns the CLDR plural category of the integer n in lang.
func pluralForm(lang string, n int) string {
	switch lang {
	case "fr", "pt":
		if n == 0 || n == 1 {
			return "one"
		}
	case "sl":
		switch n % 100 {
		case 1:
			return "one"
		case 2:
			return "two"
		case 3, 4:
			return "few"
		}
	case "pl":
		switch {
		case n == 1:
			return "one"
		case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
			return "few"
		default:
			return "many"
		}
	case "ro":
		switch {
		case n == 1:
			return "one"
		case n == 0 || (n%100 >= 1 && n%100 <= 19):
			return "few"
		}
	default: // en, it, es
		if n == 1 {
			return "one"
		}
	}
	return "other"
}

// text returns message key in lang for count n, placeholders filled from
// vars. It falls back to the "other" form and then to English.
func text(lang, key string, n int, vars map[string]string) string {
	forms, ok := messages[lang][key]
	if !ok {
		forms = messages[DefaultLanguage][key]
	}
	if forms == nil { // an event type newer than the catalogue
		forms = map[string]string{"other": key + " ({count}) at hub {hub}"}
	}
	s, ok := forms[pluralForm(lang, n)]
	if !ok {
		s = forms["other"]
	}
	args := []string{"{count}", strconv.Itoa(n)}
	for k, v := range vars {
		args = append(args, "{"+k+"}", v)
	}
	return strings.NewReplacer(args...).Replace(s)
}

// message is the human text of a notification.
type message struct {
	// Title is one line: what happened, how many, at which hub.
	Title string
	// Body is the title, the hub's address and the notification id.
	Body string
	// Details is the body without the title.
	Details string
}

func render(lang string, n Notification) message {
	vars := map[string]string{"hub": n.Hub, "url": n.URL, "id": n.ID}
	title := text(lang, n.Type, n.Count, vars)
	var details []string
	if n.URL != "" {
		details = append(details, text(lang, "open", n.Count, vars))
	}
	details = append(details, text(lang, "footer", n.Count, vars))
	d := strings.Join(details, "\n")
	return message{Title: title, Body: title + "\n\n" + d + "\n", Details: d}
}
