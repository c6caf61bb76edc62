// Command difesa-bench measures a difesa server: durable small-submission
// throughput against a bare baseline, and a large streamed submission's
// effect on the server's memory. See internal/bench.
package main

import (
	"os"

	"difesa.org/difesa/internal/bench"
)

func main() {
	os.Exit(bench.Main(os.Args[1:], os.Stdout, os.Stderr))
}
