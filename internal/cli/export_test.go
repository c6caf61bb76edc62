package cli

// MainAt is [Main] on a given clock, for the testscripts (cli_test.go).
var MainAt = mainAt
