package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/hub"
)

// The embedded demo hub.
const (
	DemoHubID        = "demo"
	DemoHubName      = "Demo hub"
	DemoIdentityFile = "demo-responder-identity.txt"
)

// prepareDemo loads the demo hub's responder identity from the data folder,
// generating it (post-quantum hybrid, mode 0600) on first start.
func prepareDemo(dataDir string, granularity time.Duration) (*hub.Hub, string, error) {
	path := filepath.Join(dataDir, DemoIdentityFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		id, gerr := age.GenerateHybridIdentity()
		if gerr != nil {
			return nil, "", gerr
		}
		content := fmt.Sprintf("# difesa demo hub responder identity: a SECRET key, for the demo only.\n# public key: %s\n%s\n",
			id.Recipient(), id)
		f, ferr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if ferr != nil {
			return nil, "", fmt.Errorf("unable to write demo identity: %w", ferr)
		}
		if _, ferr = f.WriteString(content); ferr == nil {
			ferr = f.Sync()
		}
		if cerr := f.Close(); ferr == nil {
			ferr = cerr
		}
		if ferr != nil {
			return nil, "", fmt.Errorf("unable to write demo identity: %w", ferr)
		}
		b = []byte(content)
	} else if err != nil {
		return nil, "", fmt.Errorf("unable to read demo identity: %w", err)
	}
	ids, err := age.ParseIdentities(strings.NewReader(string(b)))
	if err != nil || len(ids) != 1 {
		return nil, "", fmt.Errorf("demo identity %s is damaged; delete it to make a new one: %v", path, err)
	}
	hid, ok := ids[0].(*age.HybridIdentity)
	if !ok {
		return nil, "", fmt.Errorf("demo identity %s is not post-quantum; delete it to make a new one", path)
	}
	h, err := hub.New(DemoHubID, DemoHubName, []string{hid.Recipient().String()}, 0, granularity)
	return h, path, err
}
