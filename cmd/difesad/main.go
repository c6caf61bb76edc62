// Command difesad is the difesa server. See internal/daemon.
package main

import (
	"os"

	"difesa.org/difesa/internal/daemon"
)

func main() {
	os.Exit(daemon.Main(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}
