package export

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"

	"difesa.org/difesa/internal/bundle"
)

// file is one file of an export, by its path under the case folder.
type file struct {
	name string
	data []byte
}

const (
	originalName = "original.age"
	htmlName     = "case.html"
	textName     = "case.txt"
	sumsName     = "SHA256SUMS"
	attachDir    = "attachments"
)

// folderName is the case folder: "case-" and the id's letters, digits,
// "-" and "_" (a submission id is all of them), at most 64.
func folderName(c Case) string {
	id := strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return -1
	}, c.ID)
	if id == "" {
		id = "unknown"
	}
	return "case-" + id[:min(len(id), 64)]
}

// FolderName is the name of c's folder in an export ("case-" and the
// id's safe characters): [WriteDir]'s folder, the archive's root.
func FolderName(c Case) string { return folderName(c) }

// layout returns the files of an export, SHA256SUMS last, and the
// attachments' exported names in the order of c.Attachments.
func layout(c Case) ([]file, []string, error) {
	if len(c.Attachments) > MaxAttachments || len(c.Fields) > MaxFields || len(c.Messages) > MaxMessages {
		return nil, nil, fmt.Errorf("%w: %d attachments, %d fields, %d messages",
			ErrTooLarge, len(c.Attachments), len(c.Fields), len(c.Messages))
	}
	names := attachmentNames(c.Attachments)
	html, err := printHTML(c, names)
	if err != nil {
		return nil, nil, err
	}
	var files []file
	if len(c.Ciphertext) > 0 {
		files = append(files, file{originalName, c.Ciphertext})
	}
	files = append(files, file{htmlName, html}, file{textName, printText(c, names)})
	for i, a := range c.Attachments {
		files = append(files, file{path.Join(attachDir, names[i]), a.Data})
	}
	var sums strings.Builder
	for _, f := range files {
		h := sha256.Sum256(f.data)
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(h[:]), f.name)
	}
	return append(files, file{sumsName, []byte(sums.String())}), names, nil
}

// attachmentNames makes each name a safe path element (bundle.SanitizeName)
// and unique without regard to case, as on macOS and Windows disks:
// "photo.jpg", "photo (2).jpg", …
func attachmentNames(as []Attachment) []string {
	names := make([]string, len(as))
	taken := make(map[string]bool, len(as))
	for i, a := range as {
		name := bundle.SanitizeName(a.Name)
		ext := path.Ext(name)
		if len(ext) > 16 || ext == name {
			ext = ""
		}
		stem := strings.TrimSuffix(name, ext)
		for n := 2; taken[strings.ToLower(name)]; n++ {
			name = fmt.Sprintf("%s (%d)%s", stem, n, ext)
		}
		taken[strings.ToLower(name)] = true
		names[i] = name
	}
	return names
}
