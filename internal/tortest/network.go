package tortest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"difesa.org/difesa/internal/testutil/tool"
)

// BootstrapTimeout bounds how long [Start] waits for the network to vote a
// consensus, the client to bootstrap and the onion service to publish its
// descriptor.
var BootstrapTimeout = 3 * time.Minute

// Network is a running private Tor network.
type Network struct {
	// SocksURL is the client's SOCKS port, as difesa's -proxy takes it:
	// socks5h://127.0.0.1:PORT.
	SocksURL string
	// Onion is the first onion service's host name, e.g. "abc…xyz.onion".
	Onion string
	// Onions are the host names of every onion service, in the order of
	// the targets given to [Start].
	Onions []string
	// Bootstrap is how long the network took to be usable: from the
	// first tor started to the client bootstrapped and the services'
	// descriptors uploaded.
	Bootstrap time.Duration

	t           testing.TB
	tor         string
	dir         string
	emptyTorrc  string
	pid         int
	authorities []authority
	logs        []string
}

type authority struct {
	nick, dir            string
	orPort, dirPort      int
	v3ident, fingerprint string
}

// Start starts a network with one onion service per target, each
// forwarding its port 80 to its target: "unix:/path/to/socket" or
// "127.0.0.1:PORT". One tor hosts every service, so a second one (a
// webhook receiver, say) costs no second network. It skips the test when
// tor is not installed (fails it under CI=true), and stops every tor when
// the test ends.
func Start(t testing.TB, targets ...string) *Network {
	t.Helper()
	if len(targets) == 0 {
		t.Fatal("tortest: Start needs at least one target")
	}
	torPath := tool.Need(t, "tor", "apt-get install tor")
	gencert := tool.Need(t, "tor-gencert", "it comes with Debian's tor package: apt-get install tor")
	n := &Network{t: t, tor: torPath, dir: t.TempDir(), pid: os.Getpid()}
	if err := os.Chmod(n.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	n.emptyTorrc = filepath.Join(n.dir, "empty.torrc")
	if err := os.WriteFile(n.emptyTorrc, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ports, err := freePorts(3*2 + 3 + 2)
	if err != nil {
		t.Fatalf("tortest: picking ports: %v", err)
	}
	next := func() int { p := ports[0]; ports = ports[1:]; return p }

	keysBegan := time.Now()
	// Authority keys take seconds each (RSA); make them side by side.
	n.authorities = make([]authority, 3)
	errs := make([]error, len(n.authorities))
	var wg sync.WaitGroup
	for i := range n.authorities {
		a := &n.authorities[i]
		*a = authority{nick: fmt.Sprintf("auth%d", i), orPort: next(), dirPort: next()}
		a.dir = n.mkdir(a.nick)
		wg.Go(func() { errs[i] = n.authorityKeys(gencert, a) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("tortest: authority keys: %v", err)
	}

	t.Logf("tortest: authority keys made in %v", time.Since(keysBegan).Round(time.Millisecond))
	began := time.Now()
	for _, a := range n.authorities {
		n.run(a.nick, relayTorrc(a.orPort)+authorityTorrc(a.dirPort))
	}
	for i := range 3 {
		n.run(fmt.Sprintf("relay%d", i), relayTorrc(next()))
	}
	socksPort, controlPort := next(), next()
	n.run("client", clientTorrc(socksPort))
	n.SocksURL = fmt.Sprintf("socks5h://127.0.0.1:%d", socksPort)

	ctx, cancel := context.WithTimeout(context.Background(), BootstrapTimeout)
	defer cancel()
	// The service starts once the client has bootstrapped, that is once a
	// consensus lists enough relays: started earlier, it spends its
	// budget of introduction circuits on a network too small for them and
	// then waits minutes before trying again.
	if err := waitLog(ctx, filepath.Join(n.dir, "client", "notice.log"), "Bootstrapped 100%"); err != nil {
		n.fail("the client's bootstrap: %v", err)
	}
	t.Logf("tortest: client bootstrapped after %v", time.Since(began).Round(time.Millisecond))
	hsDirs := make([]string, len(targets))
	for i := range targets {
		hsDirs[i] = filepath.Join(n.dir, "service", fmt.Sprintf("hs%d", i))
	}
	n.run("service", serviceTorrc(hsDirs, targets, controlPort))
	if err := n.waitService(ctx, hsDirs, controlPort); err != nil {
		n.fail("the onion services: %v", err)
	}
	n.Onion = n.Onions[0]
	t.Logf("tortest: %d onion service descriptors uploaded after %v", len(n.Onions), time.Since(began).Round(time.Millisecond))
	n.Bootstrap = time.Since(began)
	return n
}

// mkdir makes a tor's data folder, private as tor insists.
func (n *Network) mkdir(name string) string {
	dir := filepath.Join(n.dir, name)
	if err := os.Mkdir(dir, 0o700); err != nil {
		n.t.Fatal(err)
	}
	return dir
}

// authorityKeys makes an authority's v3 identity and signing keys with
// tor-gencert and its relay keys with tor --list-fingerprint, and records
// both fingerprints for the DirAuthority lines.
func (n *Network) authorityKeys(gencert string, a *authority) error {
	keys := filepath.Join(a.dir, "keys")
	if err := os.Mkdir(keys, 0o700); err != nil {
		return err
	}
	cmd := exec.Command(gencert, "--create-identity-key", "--passphrase-fd", "0",
		"-i", filepath.Join(keys, "authority_identity_key"),
		"-s", filepath.Join(keys, "authority_signing_key"),
		"-c", filepath.Join(keys, "authority_certificate"),
		"-m", "12", "-a", fmt.Sprintf("127.0.0.1:%d", a.dirPort))
	cmd.Stdin = strings.NewReader("\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("tor-gencert: %v\n%s", err, out)
	}
	cert, err := os.ReadFile(filepath.Join(keys, "authority_certificate"))
	if err != nil {
		return err
	}
	if a.v3ident = field(cert, "fingerprint"); a.v3ident == "" {
		return errors.New("no fingerprint in authority_certificate")
	}
	cmd = exec.Command(n.tor, "-f", n.emptyTorrc, "--defaults-torrc", n.emptyTorrc,
		"--list-fingerprint", "--DataDirectory", a.dir, "--Nickname", a.nick,
		"--ORPort", "1", "--Log", "err stderr")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("tor --list-fingerprint: %v\n%s", err, out)
	}
	fp, err := os.ReadFile(filepath.Join(a.dir, "fingerprint"))
	if err != nil {
		return err
	}
	if a.fingerprint = field(fp, a.nick); a.fingerprint == "" {
		return fmt.Errorf("unexpected fingerprint file %q", fp)
	}
	return nil
}

// field returns the word after name at the start of a line of data.
func field(data []byte, name string) string {
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

// run writes a tor's torrc and starts it; it is killed when the test ends.
func (n *Network) run(nick, torrc string) {
	n.t.Helper()
	dir := filepath.Join(n.dir, nick)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		n.mkdir(nick)
	}
	path := filepath.Join(dir, "torrc")
	if err := os.WriteFile(path, []byte(n.commonTorrc(nick, dir)+torrc), 0o600); err != nil {
		n.t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(dir, "stdout.log"))
	if err != nil {
		n.t.Fatal(err)
	}
	cmd := exec.Command(n.tor, "-f", path, "--defaults-torrc", n.emptyTorrc)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		out.Close()
		n.t.Fatalf("tortest: starting tor %s: %v", nick, err)
	}
	n.logs = append(n.logs, filepath.Join(dir, "notice.log"), out.Name())
	n.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		out.Close()
	})
}

// waitService waits for the services' addresses and for the first
// uploads of each one's descriptor to the network's HSDirs.
func (n *Network) waitService(ctx context.Context, hsDirs []string, controlPort int) error {
	c, err := dialControl(ctx, controlPort)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.command("AUTHENTICATE"); err != nil {
		return err
	}
	if err := c.command("SETEVENTS HS_DESC"); err != nil {
		return err
	}
	waiting := map[string]bool{} // addresses without ".onion", as HS_DESC names them
	for _, dir := range hsDirs {
		for {
			host, err := os.ReadFile(filepath.Join(dir, "hostname"))
			if err == nil {
				onion := strings.TrimSpace(string(host))
				n.Onions = append(n.Onions, onion)
				waiting[strings.TrimSuffix(onion, ".onion")] = true
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("no hostname file in %s: %w", dir, err)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	// 650 HS_DESC UPLOADED <address> <auth> <hsdir> …
	for len(waiting) > 0 {
		line, err := c.waitEvent(ctx, "650 HS_DESC UPLOADED ")
		if err != nil {
			return fmt.Errorf("waiting for the descriptors' upload (%d still missing): %w", len(waiting), err)
		}
		if f := strings.Fields(line); len(f) > 3 {
			delete(waiting, f[3])
		}
	}
	// A service uploads to every responsible HSDir at once; give the
	// other uploads a moment, so that whichever HSDir the client asks
	// has the descriptor.
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	for {
		if _, err := c.waitEvent(short, "650 HS_DESC UPLOADED "); err != nil {
			return nil
		}
	}
}

// waitLog waits for a line of a tor's log to contain want.
func waitLog(ctx context.Context, path, want string) error {
	for {
		data, _ := os.ReadFile(path)
		if bytes.Contains(data, []byte(want)) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%q never appeared in %s: %w", want, path, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// fail ends the test with the tail of every tor's log.
func (n *Network) fail(format string, args ...any) {
	n.t.Helper()
	var b strings.Builder
	for _, path := range n.logs {
		fmt.Fprintf(&b, "\n--- %s\n%s", strings.TrimPrefix(path, n.dir+"/"), tail(path, 12))
	}
	n.t.Fatalf("tortest: "+format+"%s", append(args, b.String())...)
}

// Logs returns the tail of every tor's log, for a test that fails later.
func (n *Network) Logs() string {
	var b strings.Builder
	for _, path := range n.logs {
		fmt.Fprintf(&b, "\n--- %s\n%s", strings.TrimPrefix(path, n.dir+"/"), tail(path, 12))
	}
	return b.String()
}

func tail(path string, lines int) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error() + "\n"
	}
	defer f.Close()
	var last []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		last = append(last, s.Text())
		if len(last) > lines {
			last = last[1:]
		}
	}
	return strings.Join(last, "\n") + "\n"
}

// freePorts returns count distinct free TCP ports on 127.0.0.1.
func freePorts(count int) ([]int, error) {
	var ports []int
	for range count {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
