//go:build unix

package fileread

import (
	"os"
	"syscall"
)

// openFlags opens without blocking: a FIFO that replaced the name after
// the stat is opened at once (and then refused) instead of waiting for a
// writer. Reads of a regular file are not affected.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK
