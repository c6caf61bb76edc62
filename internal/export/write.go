package export

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"time"

	"filippo.io/age"
)

// scryptWorkFactor is the cost of passphrase-encrypted exports, age's
// default; tests lower it.
var scryptWorkFactor = 18

// Options say how [Write] protects the archive.
type Options struct {
	// Recipients, if any, encrypt the archive with age to them.
	Recipients []age.Recipient
	// Passphrase, if set, encrypts the archive with age's scrypt
	// passphrase format instead (as age -p).
	Passphrase string
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Write writes c to w as one tar archive, a single folder case-ID at its
// root, encrypted with age when o names recipients or a passphrase.
func Write(w io.Writer, c Case, o Options) error {
	files, _, err := layout(c)
	if err != nil {
		return err
	}
	var out io.WriteCloser = nopCloser{w}
	switch {
	case len(o.Recipients) > 0 && o.Passphrase != "":
		return ErrBothKeys
	case len(o.Recipients) > 0:
		out, err = age.Encrypt(w, o.Recipients...)
	case o.Passphrase != "":
		var r *age.ScryptRecipient
		if r, err = age.NewScryptRecipient(o.Passphrase); err == nil {
			r.SetWorkFactor(scryptWorkFactor)
			out, err = age.Encrypt(w, r)
		}
	}
	if err != nil {
		return fmt.Errorf("export: unable to encrypt: %w", err)
	}
	if err := writeTar(out, folderName(c), files, c.Created); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("export: unable to encrypt: %w", err)
	}
	return nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func writeTar(w io.Writer, root string, files []file, created time.Time) error {
	// Every entry carries the case's day, not the time of the export.
	mtime := created.UTC().Truncate(24 * time.Hour)
	if created.IsZero() {
		mtime = time.Unix(0, 0).UTC()
	}
	tw := tar.NewWriter(w)
	dirs := []string{root, path.Join(root, attachDir)}
	for i, d := range dirs {
		if i == 1 && !hasAttachments(files) {
			break
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o700, ModTime: mtime, Format: tar.FormatPAX}); err != nil {
			return fmt.Errorf("export: unable to write the archive: %w", err)
		}
	}
	for _, f := range files {
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: path.Join(root, f.name), Mode: 0o600, Size: int64(len(f.data)), ModTime: mtime, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("export: unable to write the archive: %w", err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return fmt.Errorf("export: unable to write the archive: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("export: unable to write the archive: %w", err)
	}
	return nil
}

func hasAttachments(files []file) bool {
	for _, f := range files {
		if path.Dir(f.name) == attachDir {
			return true
		}
	}
	return false
}

// WriteDir writes c as the folder case-ID inside parent (which must
// exist), and returns its path. An existing case folder is never
// overwritten; a write that fails removes the folder it began. Files are
// 0600, folders 0700.
func WriteDir(parent string, c Case) (string, error) {
	files, _, err := layout(c)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(parent, folderName(c))
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", fmt.Errorf("export: unable to create the case folder: %w", err)
	}
	if err := fillDir(dir, files); err != nil {
		// The folder is new (Mkdir above): nothing half-written stays, and
		// the next attempt is not refused as existing.
		return "", errors.Join(err, os.RemoveAll(dir))
	}
	return dir, nil
}

func fillDir(dir string, files []file) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("export: unable to open the case folder: %w", err)
	}
	defer root.Close()
	if hasAttachments(files) {
		if err := root.Mkdir(attachDir, 0o700); err != nil {
			return fmt.Errorf("export: unable to create the attachments folder: %w", err)
		}
	}
	for _, f := range files {
		if err := writeNew(root, f); err != nil {
			return err
		}
	}
	return nil
}

func writeNew(root *os.Root, f file) error {
	out, err := root.OpenFile(filepath.FromSlash(f.name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("export: unable to create %s: %w", f.name, err)
	}
	_, err = out.Write(f.data)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errors.Join(fmt.Errorf("export: unable to write %s: %w", f.name, err), root.Remove(filepath.FromSlash(f.name)))
	}
	return nil
}
