// Package fileread opens and reads files whose names come from input soak
// does not trust (a scenario from a pull request, the data files it names,
// a results directory), with bounds checked before and while reading:
//
//   - only regular files: a directory, a FIFO, a socket or a device
//     (/dev/zero) is refused by its type, found by a stat before the open
//     and checked again on the opened file, and never read. A FIFO that
//     takes the name between the two is opened without blocking.
//   - at most a given size: a larger file is refused from its stat, before
//     a byte is read, and a reader stops past the bound in any case.
//   - never past the size the file had when it was opened: /proc and /sys
//     files say they hold 0 bytes and then produce content, so they are
//     refused after one byte that is never handed to the caller.
//
// Errors name neither the file nor any of its content; the caller says
// which file it was.
//
//	b, err := fileread.ReadFile("soak.yaml", 4<<20)
//	if err != nil {
//		return fmt.Errorf("soak.yaml: %w", err) // "not a regular file: a named pipe (FIFO)"
//	}
package fileread
