package bidi

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestScriptAwaits checks that [Browser.Script] waits for a promise that a
// timer and a microtask settle, and returns its string, at the levels
// where pages run scripts; that a rejection or a value that is not a
// string is an error; and, at Safest, that Firefox settles no promise at
// all, even in the harness's sandbox: why axe-core cannot run in Firefox
// at Safest (docs/web.md, Accessibility). If this part fails, Firefox has
// changed and axe should run at Safest too.
func TestScriptAwaits(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	url, _ := serve(t)
	const settle = `(async () => { await new Promise(r => setTimeout(r, 10)); await null; return "settled " + document.querySelector("#js").textContent; })()`
	for _, level := range Levels {
		t.Run(level.String(), func(t *testing.T) {
			b := Start(t, level)
			b.Navigate(url + "/")
			ran := b.Text("#js")
			if want := map[bool]string{true: "script ran", false: "no script ran"}[level.JavaScript()]; ran != want {
				t.Fatalf("the page says %q, want %q", ran, want)
			}
			if !level.JavaScript() {
				got, err := b.Script(settle, 3*time.Second)
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("at Safest a promise settled (%q, %v): run axe at Safest too", got, err)
				}
				return
			}
			got, err := b.Script(settle, 30*time.Second)
			if err != nil || got != "settled "+ran {
				t.Fatalf("Script gave %q, %v", got, err)
			}
			if got, err := b.Script(`Promise.reject(new Error("no"))`, 30*time.Second); err == nil {
				t.Errorf("a rejected promise gave %q, no error", got)
			}
			if got, err := b.Script(`42`, 30*time.Second); err == nil {
				t.Errorf("a number gave %q, no error", got)
			}
		})
	}
}
