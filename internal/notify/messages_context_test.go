package notify

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestEveryMessageHasAContextNote: messages.json's "_context" explains each
// English message to translators, and names no message that does not exist.
func TestEveryMessageHasAContextNote(t *testing.T) {
	var f struct {
		Context map[string]string `json:"_context"`
	}
	if err := json.Unmarshal(messagesJSON, &f); err != nil {
		t.Fatal(err)
	}
	for key := range messages[DefaultLanguage] {
		if len(strings.TrimSpace(f.Context[key])) < 10 {
			t.Errorf("messages.json: _context has no note for %q", key)
		}
	}
	for key := range f.Context {
		if messages[DefaultLanguage][key] == nil {
			t.Errorf("messages.json: _context names %q, which is not an English message", key)
		}
	}
	if HasLanguage("_context") {
		t.Error("_context is taken for a language")
	}
}
