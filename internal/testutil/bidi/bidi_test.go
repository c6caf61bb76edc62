package bidi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// page is served to the browser under test: its script marks the
// document, reports what the engine offers, and echoes what is typed.
const page = `<!doctype html><html lang="en"><head><title>t</title><script src="/s.js" defer></script></head>
<body><p id="js">no script ran</p>
<form method="post" action="/post" enctype="multipart/form-data"><input id="q" name="q"><input id="f" name="f" type="file"><button id="go">go</button></form>
<p id="late" hidden>late</p></body></html>`

const script = `document.getElementById('js').textContent = 'script ran';
document.getElementById('go').addEventListener('click', () => { document.getElementById('late').hidden = false; });`

func serve(t *testing.T) (string, func() string) {
	var mu sync.Mutex
	var posted string
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, page) })
	mux.HandleFunc("/s.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, script)
	})
	mux.HandleFunc("/post", func(w http.ResponseWriter, r *http.Request) {
		r.ParseMultipartForm(1 << 20)
		f, h, err := r.FormFile("f")
		name := ""
		if err == nil {
			name = h.Filename
			f.Close()
		}
		mu.Lock()
		posted = r.FormValue("q") + "|" + name
		mu.Unlock()
		fmt.Fprint(w, `<!doctype html><p id="ok">posted</p>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL, func() string { mu.Lock(); defer mu.Unlock(); return posted }
}

// TestLevels starts Firefox at each level and checks, in the page, what
// the level's preferences do: WebAssembly only at Standard, no script at
// Safest, an en-US locale everywhere; and that typing, clicking, files,
// forms and the viewport work through the harness.
func TestLevels(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	url, posted := serve(t)
	file := filepath.Join(t.TempDir(), "report.age")
	os.WriteFile(file, []byte("x"), 0o600)
	for _, level := range Levels {
		t.Run(level.String(), func(t *testing.T) {
			b := Start(t, level)
			b.Navigate(url)
			var got struct {
				Wasm, Lang string
			}
			b.Eval(`({Wasm: typeof WebAssembly, Lang: navigator.language})`, &got)
			if want := map[bool]string{true: "object", false: "undefined"}[level == Standard]; got.Wasm != want && level != Safest {
				t.Errorf("typeof WebAssembly is %q, want %q", got.Wasm, want)
			}
			if got.Lang != "en-US" {
				t.Errorf("navigator.language is %q, want en-US", got.Lang)
			}
			ran := b.Text("#js") == "script ran"
			if ran != level.JavaScript() {
				t.Errorf("page script ran: %v, at %s", ran, level)
			}
			b.SetViewport(390, 844)
			var w int
			b.Eval("window.innerWidth", &w)
			if w != 390 {
				t.Errorf("viewport width %d, want 390", w)
			}
			b.Type("#q", "héllo ✓")
			b.SetFiles("#f", file)
			if level.JavaScript() {
				b.Eval(`document.querySelector('form').addEventListener('submit', e => e.preventDefault(), {once: true})`, nil)
				b.Click("#go")
				b.WaitFor(Visible("#late"), 10*time.Second)
				b.Eval(`document.querySelector('#late').hidden = true`, nil)
			}
			b.Loads(func() { b.Focus("#q"); b.Press(Enter) })
			if s := b.Text("#ok"); s != "posted" {
				t.Errorf("after the post: %q", s)
			}
			if p := posted(); p != "héllo ✓|report.age" {
				t.Errorf("the form posted %q", p)
			}
		})
	}
}

func TestUserJS(t *testing.T) {
	s := userJS(map[string]any{"b": true, "a": "x\"y", "c": 2})
	want := "user_pref(\"a\", \"x\\\"y\");\nuser_pref(\"b\", true);\nuser_pref(\"c\", 2);\n"
	if s != want {
		t.Errorf("user.js:\n%s\nwant:\n%s", s, want)
	}
	if !strings.Contains(userJS(Safest.Prefs()), `user_pref("javascript.enabled", false);`) {
		t.Error("Safest does not turn JavaScript off")
	}
}
