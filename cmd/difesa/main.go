// Command difesa sends encrypted reports to a difesa hub and lets its
// responders read them. Run "difesa help" for usage.
package main

import (
	"os"

	"difesa.org/difesa/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
