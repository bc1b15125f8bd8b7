//go:build !amd64

package probe

func fpCallers([]uintptr) int { return 0 }

const haveFPCallers = false
