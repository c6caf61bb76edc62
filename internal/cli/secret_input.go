package cli

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"difesa.org/difesa/internal/codename"
	"golang.org/x/term"
)

// secretSource says where a codename or a check-in code comes from: a file
// descriptor (-codename-fd N, as age reads passphrases from one), the
// terminal without echo, or standard input when it is not a terminal and
// not taken by the message.
type secretSource struct {
	what string // "codename", "code"
	flag string // "codename-fd", "code-fd"
	fd   int
}

func (s *secretSource) register(fs *flag.FlagSet, what, flagName string) {
	s.what, s.flag = what, flagName
	fs.IntVar(&s.fd, flagName, -1, "read the "+what+" from this file descriptor")
}

// maxSecretInput bounds what is read for one codename.
const maxSecretInput = codename.MaxInputLen + 2

// read returns the codename as typed. stdinFree says whether standard
// input may be read for it (it may not when it holds the message).
func (s *secretSource) read(e *env, prompt string, stdinFree bool) (string, error) {
	switch {
	case s.fd >= 0:
		f := os.NewFile(uintptr(s.fd), fmt.Sprintf("file descriptor %d", s.fd))
		if f == nil {
			return "", usageErrorf("", "-%s %d is not an open file descriptor", s.flag, s.fd)
		}
		defer f.Close()
		line, err := readLine(f)
		if err != nil {
			return "", fmt.Errorf("reading the %s from file descriptor %d: %w", s.what, s.fd, err)
		}
		return line, nil
	case isTerminal(e.stdin):
		return readHidden(e, e.stdin.(*os.File), prompt)
	case stdinFree:
		line, err := readLine(e.stdin)
		if err != nil {
			return "", fmt.Errorf("reading the %s from standard input: %w", s.what, err)
		}
		return line, nil
	}
	// Standard input holds the message: ask on the terminal, as age does
	// for passphrases.
	if tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
		defer tty.Close()
		if term.IsTerminal(int(tty.Fd())) {
			return readHidden(e, tty, prompt)
		}
	}
	return "", errorWithHints(fmt.Sprintf("cannot ask for the %s: standard input holds the message and there is no terminal", s.what),
		fmt.Sprintf("give the message with -m \"TEXT\", or the %s with -%s N (a file descriptor)", s.what, s.flag))
}

// readHidden prompts on standard error and reads a line from the terminal
// f without echo.
func readHidden(e *env, f *os.File, prompt string) (string, error) {
	fmt.Fprintf(e.stderr, "difesa: %s: ", e.translate(prompt))
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", fmt.Errorf("reading from the terminal: %w", err)
	}
	if len(b) > maxSecretInput {
		return "", errors.New("the input is too long")
	}
	return string(b), nil
}

// readLine reads the first line of r, bounded.
func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReaderSize(io.LimitReader(r, maxSecretInput+1), 1024).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if len(line) > maxSecretInput {
		return "", errors.New("the input is too long")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// parseSecret parses a codename or code as typed, explaining mistakes
// without repeating any word of it.
func (s *secretSource) parse(typed string) (codename.Codename, error) {
	if strings.TrimSpace(typed) == "" {
		return codename.Codename{}, errorWithHints(fmt.Sprintf("no %s was given", s.what),
			fmt.Sprintf("type the %d words you wrote down, or give them on -%s N", codename.Words, s.flag))
	}
	c, err := codename.Parse(typed)
	if err == nil {
		return c, nil
	}
	var we *codename.WordError
	switch {
	case errors.As(err, &we):
		return c, errorWithHints(fmt.Sprintf("word %d of the %s is not one difesa uses", we.Position, s.what),
			"check its spelling against what you wrote down; case, accents and separators do not matter")
	case errors.Is(err, codename.ErrWordCount):
		return c, errorWithHints(fmt.Sprintf("a %s has %d words", s.what, codename.Words),
			"check that you typed all of them, separated by spaces or dashes")
	}
	return c, errorWithHints(fmt.Sprintf("this is not a %s", s.what),
		fmt.Sprintf("a %s is %d words, as difesa showed it", s.what, codename.Words))
}
