package desk

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	"difesa.org/difesa/internal/export"
)

// exportToFolder writes c into the desk's export folder (created, mode
// 0700): unprotected, as the folder internal/export.WriteDir writes (the
// original bundle, the print views, the files, SHA256SUMS); protected, as
// the one encrypted archive case-ID.tar.age, so that nothing readable
// reaches the disk. A name that exists is never overwritten: the page
// says so and writes nothing. The case page then says where it went.
func (s *Server) exportToFolder(w http.ResponseWriter, r *http.Request, c export.Case, o export.Options) {
	if err := makeExportDir(s.exportDir); errors.Is(err, errExportDirShared) {
		s.fail(w, r, http.StatusForbidden, "export_dir_shared", nil)
		return
	} else if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "export", err)
		return
	}
	var written string
	var err error
	if len(o.Recipients) == 0 && o.Passphrase == "" {
		written, err = export.WriteDir(s.exportDir, c)
	} else {
		written, err = writeArchive(s.exportDir, export.FolderName(c)+".tar.age", c, o)
	}
	switch {
	case errors.Is(err, fs.ErrExist):
		s.fail(w, r, http.StatusConflict, "export_exists", nil)
		return
	case err != nil:
		s.fail(w, r, http.StatusInternalServerError, "export", err)
		return
	}
	hub, id := r.PathValue("hub"), r.PathValue("id")
	sessionOf(r.Context()).wrote(hub, id, written)
	backTo(w, r, caseURL(hub, id), "export_folder")
}

// errExportDirShared means that other users of the computer may change
// the export folder: they could swap what the desk writes there, or read
// it, so the desk writes nothing there.
var errExportDirShared = errors.New("desk: the export folder can be changed by other users")

// makeExportDir creates the export folder, mode 0700, and checks that it
// is a folder that only its owner may change. An existing folder keeps its
// mode: it is the responder's.
func makeExportDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("desk: unable to create the export folder: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("desk: unable to open the export folder: %w", err)
	}
	if !fi.IsDir() {
		return errors.New("desk: the export folder is not a folder")
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return errExportDirShared
	}
	return nil
}

// writeArchive writes c's encrypted archive as the new file name inside
// dir (mode 0600, never over an existing file) and returns its path.
func writeArchive(dir, name string, c export.Case, o export.Options) (string, error) {
	var buf bytes.Buffer
	if err := export.Write(&buf, c, o); err != nil {
		return "", err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", fmt.Errorf("desk: unable to open the export folder: %w", err)
	}
	defer root.Close()
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("desk: unable to create the export: %w", err)
	}
	_, err = f.Write(buf.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", errors.Join(fmt.Errorf("desk: unable to write the export: %w", err), root.Remove(name))
	}
	return filepath.Join(dir, name), nil
}

// wrote remembers where the session's last export to a folder went.
func (s *session) wrote(hub, id, path string) {
	s.mu.Lock()
	s.lastWrite, s.lastWriteCase = path, hub+"/"+id
	s.mu.Unlock()
}

// written is where the session's last export of hub/id to a folder went,
// or "".
func (s *session) written(hub, id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastWriteCase != hub+"/"+id {
		return ""
	}
	return s.lastWrite
}
