package caserecord

import "errors"

var (
	// ErrMalformed is wrapped by every error about a record that is not
	// valid JSON of the format, or breaks its rules.
	ErrMalformed = errors.New("caserecord: malformed record")
	// ErrTooLarge is wrapped by every error about a record over a limit.
	ErrTooLarge = errors.New("caserecord: record over a limit")
	// ErrNotInHub is returned when a case uses a label or a sub-status the
	// hub record does not define.
	ErrNotInHub = errors.New("caserecord: not defined by the hub record")
)
