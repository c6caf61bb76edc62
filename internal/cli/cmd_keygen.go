package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"filippo.io/age"
)

const keygenUsage = `Usage:
    difesa keygen [-classic] [-passphrase] [-o FILE]

Makes a new responder key: a secret identity, and the public recipient that
the people who run a hub add to it so that reports reach you.

By default the key is a post-quantum hybrid (ML-KEM-768 + X25519) key, which
keeps today's reports safe from tomorrow's quantum computers.

Options:
    -o FILE     Write the secret key to FILE (created with mode 0600). An
                existing file is never overwritten. Without -o the key is
                written to standard output.
    -classic    Make a classic X25519 key, for tools that lack post-quantum
                support. Keys of both kinds work with age.
    -passphrase Protect the key file with a passphrase, asked twice without
                echo: a stolen laptop or backup then holds no usable key.
                The file is age's own passphrase-encrypted format (as
                "age -p -a" writes it), so stock "age -d" opens it too.
                Every difesa command that takes -i asks for the passphrase
                once; scripts give it on a file descriptor named by
                DIFESA_PASSPHRASE_FD. Nobody can recover a lost passphrase.

The public key is printed to standard error ("Public key: age1…"). It is
also in the key file, after "# public key:" (inside the encryption, with
-passphrase: note it when it is printed). Keep the secret key private;
anyone who has it can read the hub's reports.

Example:
    $ difesa keygen -o responder.key
    Public key: age1pq1…
    $ difesa keygen -passphrase -o responder.key.age
    difesa: passphrase for the new key:
    difesa: the same passphrase again:
    Public key: age1pq1…`

func runKeygen(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("keygen")
	out := flags.String("o", "", "output file")
	classic := flags.Bool("classic", false, "make an X25519 key")
	protect := flags.Bool("passphrase", false, "protect the key file with a passphrase")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("keygen", "unexpected argument %q", pos[0]).hint(
			"to write the key to a file use -o FILE")
	}

	var identity, recipient string
	if *classic {
		k, err := age.GenerateX25519Identity()
		if err != nil {
			return fmt.Errorf("internal error: %v", err)
		}
		identity, recipient = k.String(), k.Recipient().String()
	} else {
		k, err := age.GenerateHybridIdentity()
		if err != nil {
			return fmt.Errorf("internal error: %v", err)
		}
		identity, recipient = k.String(), k.Recipient().String()
	}
	// Only the date: a key file should not say when, to the second, someone
	// was at a keyboard.
	text := fmt.Sprintf("# created: %s\n# public key: %s\n%s\n",
		e.now().UTC().Format(time.DateOnly), recipient, identity)
	if *protect {
		if _, err := os.Lstat(*out); *out != "" && *out != "-" && err == nil {
			return errorWithHints(fmt.Sprintf("%s already exists", *out),
				"difesa never overwrites a key: choose another name with -o")
		}
		// Asked before anything is written: a mistyped confirmation
		// leaves no file behind.
		pass, err := passphrasesOf(ctx).choose()
		if err != nil {
			return err
		}
		enc, err := encryptWithPassphrase([]byte(text), pass)
		if err != nil {
			return fmt.Errorf("internal error: %v", err)
		}
		text = string(enc)
	}

	if *out == "" || *out == "-" {
		if !isTerminal(e.stdout) {
			fmt.Fprintf(e.stderr, "Public key: %s\n", recipient)
		}
		return writeAll(e.stdout, text)
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return errorWithHints(fmt.Sprintf("%s already exists", *out),
			"difesa never overwrites a key: choose another name with -o",
			"if that key is no longer used, delete it yourself first")
	}
	if err != nil {
		return fmt.Errorf("creating key file: %w", err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		os.Remove(*out)
		return fmt.Errorf("writing key file: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(*out)
		return fmt.Errorf("writing key file: %w", err)
	}
	fmt.Fprintf(e.stderr, "Public key: %s\n", recipient)
	return nil
}
