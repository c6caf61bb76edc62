package daemon

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"difesa.org/difesa/internal/store"
)

// runCheckConfig prints every problem of a configuration, with the line of
// the hub it concerns where it can tell.
func runCheckConfig(e env, args []string) int {
	fs, cf := newFlagSet(e, "check-config")
	if code := parse(e, fs, args); code >= 0 {
		return code
	}
	cfg, err := cf.load(e)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(e.stderr, "difesad: %s\n", annotateLine(*cf.configPath, line))
		}
		return 1
	}
	what := "the embedded demo"
	if *cf.configPath != "" {
		what = *cf.configPath
	}
	fmt.Fprintf(e.stdout, "%s: OK, %d hub(s), data in %s, listening on %s\n", what, max(len(cfg.Hubs), 1), cfg.DataDir, cfg.Listen)
	for _, hc := range cfg.Hubs {
		k, err := cfg.BuildHub(hc)
		if err != nil {
			continue // Validate already said
		}
		fmt.Fprintf(e.stdout, "  hub %-12s %s\n    %s\n    admin key %s\n    first manifest %s, %d notification channel(s)\n",
			hc.ID, hc.Name, cfg.HubURL(hc.ID), k.Admin.Fingerprint(), hc.ManifestFile, len(k.Channels))
	}
	return 0
}

var hubIndex = regexp.MustCompile(`^hub\[(\d+)\]`)

// annotateLine adds "line N: " to a problem about hub[i], the line of the
// i-th [[hub]] table in the file.
func annotateLine(path, problem string) string {
	m := hubIndex.FindStringSubmatch(problem)
	if path == "" || m == nil {
		return problem
	}
	want, _ := strconv.Atoi(m[1])
	f, err := os.Open(path)
	if err != nil {
		return problem
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n, seen := 0, -1
	for sc.Scan() {
		n++
		if strings.TrimSpace(sc.Text()) == "[[hub]]" {
			if seen++; seen == want {
				return fmt.Sprintf("%s:%d: %s", path, n, problem)
			}
		}
	}
	return problem
}

// databasePath is where the flags say the database is: -file, or the data
// folder of the configuration.
func databasePath(e env, cf configFlags, file string) (string, error) {
	if file != "" {
		return file, nil
	}
	cfg, err := cf.load(e)
	if err != nil {
		return "", err
	}
	return filepath.Join(cfg.DataDir, DatabaseFile), nil
}

func openReadOnly(e env, path string) (*store.Store, int) {
	st, err := store.Open(path, store.Options{ReadOnly: true})
	if errors.Is(err, store.ErrLocked) {
		e.errorf("%v", err)
		e.hintf("stop the server first, or check a backup with -file")
		return nil, 1
	}
	if err != nil {
		return nil, e.errorf("%v", err)
	}
	return st, -1
}

func runVerify(e env, args []string) int {
	fs, cf := newFlagSet(e, "verify")
	file := fs.String("file", "", "")
	if code := parse(e, fs, args); code >= 0 {
		return code
	}
	path, err := databasePath(e, cf, *file)
	if err != nil {
		return e.errorf("%v", err)
	}
	st, code := openReadOnly(e, path)
	if code >= 0 {
		return code
	}
	defer st.Close()
	if err := st.Verify(); err != nil {
		e.errorf("%s has problems:", path)
		fmt.Fprintln(e.stderr, err)
		return 1
	}
	fmt.Fprintf(e.stdout, "%s: OK\n", path)
	return 0
}

func runBackup(e env, args []string) int {
	fs, cf := newFlagSet(e, "backup")
	out := fs.String("o", "", "")
	admin := fs.String("admin", "", "")
	if code := parse(e, fs, args); code >= 0 {
		return code
	}
	if *out == "" {
		e.errorf("-o FILE (or -o - for standard output) is required")
		return 2
	}
	if *admin != "" {
		return backupFromAdmin(e, *admin, *out)
	}
	path, err := databasePath(e, cf, "")
	if err != nil {
		return e.errorf("%v", err)
	}
	st, code := openReadOnly(e, path)
	if code >= 0 {
		return code
	}
	defer st.Close()
	var w io.Writer = e.stdout
	if *out != "-" {
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return e.errorf("%v", err)
		}
		defer f.Close()
		w = f
	}
	n, err := st.Backup(w)
	if err != nil {
		return e.errorf("%v", err)
	}
	if f, ok := w.(*os.File); ok && f != os.Stdout {
		if err := f.Sync(); err != nil {
			return e.errorf("%v", err)
		}
	}
	fmt.Fprintf(e.stderr, "difesad: backed up %d bytes\n", n)
	return 0
}

func runRestore(e env, args []string) int {
	fs, cf := newFlagSet(e, "restore")
	in := fs.String("i", "", "")
	if code := parse(e, fs, args); code >= 0 {
		return code
	}
	if *in == "" {
		e.errorf("-i FILE is required")
		return 2
	}
	cfg, err := cf.load(e)
	if err != nil {
		return e.errorf("%v", err)
	}
	if err := prepareDataDir(cfg.DataDir); err != nil {
		return e.errorf("%v", err)
	}
	f, err := os.Open(*in)
	if err != nil {
		return e.errorf("%v", err)
	}
	defer f.Close()
	dst := filepath.Join(cfg.DataDir, DatabaseFile)
	if err := store.Restore(f, dst); err != nil {
		return e.errorf("%v", err)
	}
	fmt.Fprintf(e.stdout, "restored %s into %s\n", *in, dst)
	return 0
}

func runCompact(e env, args []string) int {
	fs, cf := newFlagSet(e, "compact")
	if code := parse(e, fs, args); code >= 0 {
		return code
	}
	path, err := databasePath(e, cf, "")
	if err != nil {
		return e.errorf("%v", err)
	}
	before, after, err := store.Compact(path)
	if errors.Is(err, store.ErrInUse) {
		e.errorf("%v", err)
		e.hintf("stop the server first")
		return 1
	}
	if err != nil {
		return e.errorf("%v", err)
	}
	fmt.Fprintf(e.stdout, "%s: %d → %d bytes\n", path, before, after)
	return 0
}
