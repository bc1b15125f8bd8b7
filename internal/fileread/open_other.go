//go:build !unix

package fileread

import "os"

// openFlags: elsewhere than Unix there is no FIFO to wait on at open.
const openFlags = os.O_RDONLY
