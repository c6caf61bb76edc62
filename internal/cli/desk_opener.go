package cli

import (
	"fmt"
	"html/template"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// launchPage sends the browser on to the desk's one-time address. The
// system opener gets the path of this page, not the address: a command
// line is visible to every user of the computer (ps), a file of mode 0600
// in a folder of mode 0700 is not.
var launchPage = template.Must(template.New("launch").Parse(`<!doctype html>
<meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url={{.}}">
<title>difesa desk</title><p><a href="{{.}}">Open the desk</a></p>
`))

// writeLaunchPage writes the launch page into a new private folder and
// returns its path and a function that removes it.
func writeLaunchPage(address string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "difesa-desk-")
	if err != nil {
		return "", nil, fmt.Errorf("unable to make a folder for the desk's launch page: %w", err)
	}
	remove := func() { os.RemoveAll(dir) }
	var b strings.Builder
	if err := launchPage.Execute(&b, template.URL(address)); err != nil {
		remove()
		return "", nil, err
	}
	path := filepath.Join(dir, "desk.html")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		remove()
		return "", nil, fmt.Errorf("unable to write the desk's launch page: %w", err)
	}
	return path, remove, nil
}

// openerCommand is the system's way to open a file in the default
// browser.
func openerCommand(path string) *exec.Cmd {
	switch runtime.GOOS {
	case "darwin":
		return exec.Command("open", path)
	case "windows":
		return exec.Command("rundll32", "url.dll,FileProtocolHandler", path)
	default:
		return exec.Command("xdg-open", path)
	}
}
