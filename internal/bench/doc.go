// Package bench measures a difesa server the way it is deployed: a separate
// process on loopback, real age files, durable commits. It exists so that
// the claims "an acknowledged report is on disk" and "a large file does not
// grow the server's memory" come with numbers, and so that regressions in
// either show up.
//
// [Main] is the whole of cmd/difesa-bench. It re-executes its own binary as
// the server (-serve, which runs [daemon.Main]) and as a bare baseline
// (-serve-baseline: net/http plus one fsync'd bbolt write per request), so
// both run in their own process and the server's memory can be read from
// /proc. [HubClient] is a deliberately small client of the HTTP API,
// independent of internal/client, for load and crash tests.
//
// The soak (-soak D) keeps one server under mixed load, the requests of
// defenders and responders alike, and watches that its open files and
// memory stay flat: leaks show over minutes, not in a ten-second run.
//
// # Caveats
//
// Client and server share the machine's cores, so absolute numbers depend on
// the machine; the ratio to the baseline is the meaningful one. Peak memory
// is read from /proc/PID/status and is therefore only measured on Linux.
package bench
