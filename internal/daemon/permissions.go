package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// PermissionError is returned at start-up when the data folder or the
// database could be read by other users.
type PermissionError struct {
	Path string
	Mode fs.FileMode
	Want fs.FileMode
	Fix  string
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("%s has mode %04o: other users of this machine could read it (it must be %04o)", e.Path, e.Mode, e.Want)
}

// prepareDataDir creates the data folder (0700) or checks an existing one,
// and checks the database file (0600) if it exists.
func prepareDataDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return fmt.Errorf("unable to use data folder: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("data folder %s is not a folder", dir)
	}
	if fi.Mode().Perm() != 0o700 {
		return &PermissionError{Path: dir, Mode: fi.Mode().Perm(), Want: 0o700, Fix: "run: chmod 700 " + dir}
	}
	db := filepath.Join(dir, DatabaseFile)
	if fi, err := os.Stat(db); err == nil && fi.Mode().Perm() != 0o600 {
		return &PermissionError{Path: db, Mode: fi.Mode().Perm(), Want: 0o600, Fix: "run: chmod 600 " + db}
	}
	return nil
}
