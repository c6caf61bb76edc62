package store

import (
	"errors"
	"strings"
	"syscall"
)

// noSpaceErrnos are the system errors of a write that found no room: the
// disk is full (ENOSPC), the file may not grow (EFBIG: a file-size limit,
// RLIMIT_FSIZE, or the file system's largest file), the user's quota is
// used up (EDQUOT).
var noSpaceErrnos = []syscall.Errno{syscall.ENOSPC, syscall.EFBIG, syscall.EDQUOT}

// IsNoSpace reports whether err comes from a write that found no room on
// disk. A transaction that failed so was rolled back whole: the database
// is as it was, reads keep working, and deleting data (or giving the disk
// room) lets writes succeed again.
//
// bbolt reports a failure to grow its file as text ("file resize error:
// file too large"), losing the system error, so the errors' messages are
// matched too.
func IsNoSpace(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, e := range noSpaceErrnos {
		if errors.Is(err, e) || strings.Contains(msg, e.Error()) {
			return true
		}
	}
	return false
}
