package bidi

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Script evaluates the JavaScript expression js in the harness's sandbox
// realm (the page's DOM, not its script's globals), awaits the promise it
// yields, and returns its value, which must be a string: what
// axe.Eval wants. It runs at every level, Safest included, for at most
// timeout: a sandbox realm belongs to the harness, not to the page, so
// javascript.enabled=false (which stops the page's own scripts) does not
// stop it, nor its promises and timers.
func (b *Browser) Script(js string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var rv remoteValue
	err := b.Call(ctx, "script.evaluate", map[string]any{"expression": js,
		"target":       map[string]any{"context": b.Context, "sandbox": sandbox},
		"awaitPromise": true, "resultOwnership": "none"}, &rv)
	if err != nil {
		return "", err
	}
	if rv.Type == "exception" {
		msg := "unknown"
		if rv.ExceptionDetails != nil {
			msg = rv.ExceptionDetails.Text
		}
		return "", fmt.Errorf("bidi: script threw: %s", msg)
	}
	var n node
	if err := json.Unmarshal(rv.Result, &n); err != nil {
		return "", fmt.Errorf("bidi: unable to read the script's value: %w", err)
	}
	if n.Type != "string" {
		return "", fmt.Errorf("bidi: the script gave a %s, not a string", n.Type)
	}
	return n.Value, nil
}
