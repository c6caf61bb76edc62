package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// deskConfig is the desk configuration file, for responders of several
// hubs: one setting a line, "#" starts a comment.
//
//	# difesa desk
//	dir   ~/difesa-desk
//	proxy socks5h://127.0.0.1:9050
//	hub   http://xyz…xyz.onion/hubs/legal     ~/keys/legal.txt
//	hub   http://abc…abc.onion/hubs/relocation ~/keys/relocation.txt  pin FINGERPRINT
//
// A relative or "~/" identity path is taken from the file's folder or
// the home folder.
type deskConfig struct {
	dir, proxy string
	hubs       []deskHub
}

// deskHub is one hub of the desk: its address, the identity files of the
// responder there, and the admin key's fingerprint if given.
type deskHub struct {
	url        string
	identities []string
	pin        string
}

const maxDeskConfig = 64 << 10

func readDeskConfig(path string) (*deskConfig, error) {
	data, err := readFileBounded(path, maxDeskConfig)
	if err != nil {
		return nil, fmt.Errorf("reading the desk configuration: %w", err)
	}
	return parseDeskConfig(data, filepath.Dir(path), path)
}

func parseDeskConfig(data []byte, base, name string) (*deskConfig, error) {
	c := &deskConfig{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "#"); i >= 0 && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		bad := func(why string) error { return fmt.Errorf("%s:%d: %s", name, n, why) }
		switch f[0] {
		case "dir":
			if len(f) != 2 || c.dir != "" {
				return nil, bad(`"dir" takes one folder, once`)
			}
			c.dir = expandPath(f[1], base)
		case "proxy":
			if len(f) != 2 || c.proxy != "" {
				return nil, bad(`"proxy" takes one URL, once`)
			}
			c.proxy = f[1]
		case "hub":
			if len(f) < 3 {
				return nil, bad(`"hub" takes an address and an identity file`)
			}
			h := deskHub{url: f[1]}
			rest := f[2:]
			for len(rest) > 0 {
				if rest[0] == "pin" {
					if len(rest) != 2 || h.pin != "" {
						return nil, bad(`"pin" takes one fingerprint, at the end`)
					}
					h.pin = rest[1]
					break
				}
				h.identities = append(h.identities, expandPath(rest[0], base))
				rest = rest[1:]
			}
			if len(h.identities) == 0 {
				return nil, bad(`"hub" takes an identity file`)
			}
			c.hubs = append(c.hubs, h)
		default:
			return nil, bad(fmt.Sprintf("unknown setting %q (dir, proxy or hub)", f[0]))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(c.hubs) == 0 {
		return nil, fmt.Errorf("%s: no hub", name)
	}
	return c, nil
}

func expandPath(p, base string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	if !filepath.IsAbs(p) {
		return filepath.Join(base, p)
	}
	return p
}
