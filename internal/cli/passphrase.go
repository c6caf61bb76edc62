package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"
)

// passphraseFDEnv names the file descriptor a script passes an identity
// file's passphrase on, as age-plugin-batchpass's AGE_PASSPHRASE_FD: its
// whole content, trailing newlines stripped. Without it the passphrase is
// asked on the terminal, without echo.
const passphraseFDEnv = "DIFESA_PASSPHRASE_FD"

// maxPassphrase bounds a passphrase, typed or read.
const maxPassphrase = 1024

// passphrases asks for the passphrases of encrypted identity files, at
// most once per file and per command: a passphrase typed for one file is
// tried first on the next. They live in memory for the command only.
type passphrases struct {
	e      *env
	fdRead bool
	fd     string   // what DIFESA_PASSPHRASE_FD gave, once read
	typed  []string // passphrases that opened a file in this command
}

type passphrasesKey struct{}

// withPassphrases gives the commands run under ctx one asker of
// passphrases, that prompts on e's terminal.
func (e *env) withPassphrases(ctx context.Context) context.Context {
	return context.WithValue(ctx, passphrasesKey{}, &passphrases{e: e})
}

func passphrasesOf(ctx context.Context) *passphrases {
	if p, ok := ctx.Value(passphrasesKey{}).(*passphrases); ok {
		return p
	}
	return &passphrases{e: &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}}
}

// fromFD reads the passphrase given on DIFESA_PASSPHRASE_FD, if set.
func (p *passphrases) fromFD() (string, bool, error) {
	v := os.Getenv(passphraseFDEnv)
	if v == "" {
		return "", false, nil
	}
	if p.fdRead {
		return p.fd, true, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return "", true, errorWithHints(fmt.Sprintf("%s=%q is not a file descriptor number", passphraseFDEnv, v),
			fmt.Sprintf("for example %s=3 difesa … 3< passphrase.txt", passphraseFDEnv))
	}
	f := os.NewFile(uintptr(n), fmt.Sprintf("file descriptor %d", n))
	if f == nil {
		return "", true, fmt.Errorf("%s: %d is not an open file descriptor", passphraseFDEnv, n)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPassphrase+1))
	if err != nil {
		return "", true, fmt.Errorf("reading the passphrase from file descriptor %d: %w", n, err)
	}
	if len(b) > maxPassphrase {
		return "", true, fmt.Errorf("the passphrase on file descriptor %d is longer than %d bytes", n, maxPassphrase)
	}
	p.fdRead, p.fd = true, strings.TrimRight(string(b), "\r\n")
	return p.fd, true, nil
}

// ask prompts for a passphrase on the terminal, without echo.
func (p *passphrases) ask(prompt string) (string, error) {
	if pass, ok, err := p.fromFD(); ok {
		return pass, err
	}
	f, ok := p.e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
		if err != nil || !term.IsTerminal(int(tty.Fd())) {
			if tty != nil {
				tty.Close()
			}
			return "", errorWithHints("cannot ask for the passphrase: there is no terminal",
				fmt.Sprintf("in a script, give it on a file descriptor: %s=3 difesa … 3< passphrase.txt", passphraseFDEnv))
		}
		defer tty.Close()
		f = tty
	}
	fmt.Fprintf(p.e.stderr, "difesa: %s: ", prompt)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(p.e.stderr)
	if err != nil {
		return "", fmt.Errorf("reading the passphrase from the terminal: %w", err)
	}
	if len(b) > maxPassphrase {
		return "", fmt.Errorf("the passphrase is longer than %d bytes", maxPassphrase)
	}
	pass := string(b)
	clear(b)
	return pass, nil
}

// choose asks for a new passphrase: twice on a terminal, once from
// DIFESA_PASSPHRASE_FD.
func (p *passphrases) choose() (string, error) {
	pass, fromFD, err := p.fromFD()
	if err != nil {
		return "", err
	}
	if !fromFD {
		if pass, err = p.ask("passphrase for the new key"); err != nil {
			return "", err
		}
		again, err := p.ask("the same passphrase again")
		if err != nil {
			return "", err
		}
		if again != pass {
			return "", errorWithHints("the two passphrases differ: no key was written",
				"run the command again and type the same passphrase twice")
		}
	}
	if pass == "" {
		return "", errorWithHints("the passphrase is empty: no key was written",
			"choose a passphrase of several words that only you know")
	}
	return pass, nil
}

// isEncryptedIdentity reports whether an identity file is an age file
// (binary or armored), as age -p writes: age's own rule.
func isEncryptedIdentity(data []byte) bool {
	head := data[:min(len(data), 1024+len(ageArmorHeader))]
	return bytes.HasPrefix(head, []byte("age-encryption.org/")) ||
		bytes.HasPrefix(bytes.TrimSpace(head), []byte(ageArmorHeader))
}

var errNoPassphraseGiven = errors.New("no passphrase was given")
