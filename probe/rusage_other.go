//go:build !unix

package probe

func readRusage(*ProcessSnapshot) error { return errUnsupported }
