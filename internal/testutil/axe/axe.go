// Package axe runs axe-core, Deque's accessibility rules engine, inside a
// page that a browser test has open, in any browser: the caller hands it a
// function that evaluates JavaScript in the page (Chromium's DevTools
// protocol, Firefox's WebDriver BiDi, …).
//
// axe-core comes from npm, pinned in web/package.json as a devDependency;
// `npm ci` in web/ (which .ci/run does before the Go tests) puts it in
// web/node_modules/axe-core/axe.min.js. Without that file a test is
// skipped, or failed under CI=true, through [tool.Missing].
//
// The script is injected through the evaluator, not through a <script>
// element, so the pages' Content-Security-Policy (script-src 'self') stays
// as it is, and it runs even where the page's own scripts are disabled
// (Tor Browser's Safest level): both DevTools' Runtime.evaluate and BiDi's
// script.evaluate run outside the page's script settings.
package axe

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"difesa.org/difesa/internal/testutil/tool"
)

// Eval evaluates the JavaScript expression js in the page and returns its
// value as a string. When the expression yields a promise, Eval waits for
// it and returns what it resolves to (CDP: awaitPromise; BiDi:
// awaitPromise: true). A thrown exception or rejected promise is an error.
type Eval func(js string) (string, error)

// Tags are the rule sets run: WCAG 2.0, 2.1 and 2.2 at levels A and AA,
// and Deque's best practices (landmarks, one main, headings…).
var Tags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"}

// Node is one element that breaks a rule.
type Node struct {
	// Target is the element's CSS selector (joined with " >> " across
	// frames and shadow roots).
	Target string `json:"target"`
	// HTML is the start of the element's markup.
	HTML string `json:"html"`
	// Summary is axe's explanation of what to fix.
	Summary string `json:"summary"`
}

// Violation is one rule that some elements of the page break.
type Violation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"` // minor, moderate, serious or critical
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []Node `json:"nodes"`
}

// Serious reports whether v is serious or critical: what the tests refuse.
func (v Violation) Serious() bool { return v.Impact == "serious" || v.Impact == "critical" }

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s <%s>", v.ID, v.Impact, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n\t%s: %s\n\t\t%s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n\t\t"))
	}
	return b.String()
}

// Result is what axe found in one page.
type Result struct {
	Version    string      `json:"version"`
	Violations []Violation `json:"violations"`
	// Passed and Incomplete count the rules that passed and those axe
	// could not decide (for example contrast over a background image).
	Passed     int `json:"passes"`
	Incomplete int `json:"incomplete"`
}

// Serious returns the serious and critical violations of r.
func (r *Result) Serious() []Violation {
	var out []Violation
	for _, v := range r.Violations {
		if v.Serious() {
			out = append(out, v)
		}
	}
	return out
}

// runScript runs axe on the whole document with [Tags] and returns a
// compact JSON summary (the full result holds every passing node, which is
// large and useless here).
const runScript = `(async () => {
  const r = await axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]});
  const sel = t => Array.isArray(t) ? t.map(sel).join(" >> ") : String(t);
  return JSON.stringify({
    version: axe.version,
    passes: r.passes.length,
    incomplete: r.incomplete.length,
    violations: r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({target: sel(n.target), html: n.html.slice(0, 300), summary: n.failureSummary || ""}))})),
  });
})()`

// Run injects axe (its source, from [Source]) into the page through eval
// if the page has none yet, runs it, and returns what it found.
func Run(eval Eval, source string) (*Result, error) {
	has, err := eval(`typeof window.axe === "object" ? "yes" : "no"`)
	if err != nil {
		return nil, fmt.Errorf("axe: unable to evaluate in the page: %w", err)
	}
	if has != "yes" {
		// The source defines window.axe; the trailing expression gives
		// the evaluator a string to return.
		if _, err := eval(source + "\n;\"loaded\""); err != nil {
			return nil, fmt.Errorf("axe: unable to inject axe-core: %w", err)
		}
	}
	tags, _ := json.Marshal(Tags)
	out, err := eval(fmt.Sprintf(runScript, tags))
	if err != nil {
		return nil, fmt.Errorf("axe: unable to run axe-core: %w", err)
	}
	var r Result
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		return nil, fmt.Errorf("axe: unable to read axe-core's result: %w", err)
	}
	if r.Version == "" {
		return nil, errors.New("axe: axe-core gave no version: not axe's result")
	}
	return &r, nil
}

// Check runs axe in the page and fails t for each serious or critical
// violation, naming page; lesser ones are logged. It returns the result.
func Check(t testing.TB, eval Eval, page string) *Result {
	t.Helper()
	r, err := Run(eval, Source(t))
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	for _, v := range r.Violations {
		if v.Serious() {
			t.Errorf("%s: axe %s: %s", page, r.Version, v)
		} else {
			t.Logf("%s: axe %s (not refused): %s", page, r.Version, v)
		}
	}
	return r
}

var (
	sourceOnce sync.Once
	source     string
	sourceErr  error
)

// File is where `npm ci` in web/ puts axe-core, from the module's root.
const File = "web/node_modules/axe-core/axe.min.js"

// Source returns axe-core's script, read once from [File] under the
// module's root (found from the working directory up). When it is
// missing, t is skipped, or failed under CI=true.
func Source(t testing.TB) string {
	t.Helper()
	sourceOnce.Do(func() { source, sourceErr = readSource() })
	if sourceErr != nil {
		tool.Missing(t, fmt.Sprintf("%v: run npm ci in web/", sourceErr))
	}
	return source
}

func readSource() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("axe: unable to find the working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("axe: unable to find the module's root (go.mod)")
		}
		dir = parent
	}
	b, err := os.ReadFile(filepath.Join(dir, File))
	if err != nil {
		return "", fmt.Errorf("axe: unable to read axe-core: %w", err)
	}
	if !strings.Contains(string(b[:min(len(b), 200)]), "axe v") {
		return "", fmt.Errorf("axe: %s is not axe-core", File)
	}
	return string(b), nil
}
