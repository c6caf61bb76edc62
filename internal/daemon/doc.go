// Package daemon starts difesad: it reads the configuration, prepares the
// data folder (and, with no configuration, the embedded demo hub), opens the
// store and serves the API until told to stop.
//
// It is the only place that owns process-level concerns: flags, signals,
// listeners, the logger. cmd/difesad is a single call into [Main].
package daemon
