package daemon

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/store"
)

// backupFromAdmin is `difesad backup -admin ADDR -o OUT`: a hot backup
// fetched from a running server's admin listener. A file is checked with
// [store.Store.Verify] once written, and removed if it is not whole.
func backupFromAdmin(e env, addr, out string) int {
	if err := config.CheckAdminAddress(addr); err != nil {
		e.errorf("-admin: %v", err)
		return 2
	}
	var w io.Writer = e.stdout
	var f *os.File
	if out != "-" {
		var err error
		if f, err = os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			return e.errorf("%v", err)
		}
		defer f.Close()
		w = f
	}
	fail := func(err error) int {
		if f != nil {
			f.Close()
			os.Remove(out)
		}
		return e.errorf("%v", err)
	}
	n, err := fetchBackup(addr, w)
	if err != nil {
		code := fail(err)
		e.hintf("is difesad running with admin_listen = %q?", addr)
		return code
	}
	if f != nil {
		if err := f.Sync(); err != nil {
			return fail(err)
		}
		st, err := store.Open(out, store.Options{ReadOnly: true})
		if err == nil {
			err = st.Verify()
			st.Close()
		}
		if err != nil {
			return fail(fmt.Errorf("the backup received has problems: %w", err))
		}
	}
	fmt.Fprintf(e.stderr, "difesad: backed up %d bytes from the running server\n", n)
	return 0
}

// fetchBackup copies GET /backup of the admin listener at addr to w.
func fetchBackup(addr string, w io.Writer) (int64, error) {
	// No proxy, whatever the environment says: this never leaves the
	// machine.
	tr := &http.Transport{Proxy: nil, DisableCompression: true, ResponseHeaderTimeout: time.Minute}
	url := "http://" + addr + "/backup"
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		}
		url = "http://localhost/backup" // a Host the admin listener accepts
	}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(url)
	if err != nil {
		return 0, fmt.Errorf("unable to reach the admin listener: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("the admin listener answered %s", resp.Status)
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, fmt.Errorf("the backup was cut after %d bytes: %w", n, err)
	}
	return n, nil
}
