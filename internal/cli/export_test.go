package cli

// MainAt is [Main] on a given clock, for the testscripts (cli_test.go).
var MainAt = mainAt

// ScryptWorkFactor is the scrypt cost of keygen -passphrase: tests lower
// it to stay fast; the default is age's.
var ScryptWorkFactor = &scryptWorkFactor
