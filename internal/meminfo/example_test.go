package meminfo_test

import (
	"fmt"
	"strings"

	"github.com/soaklab/soak/internal/meminfo"
)

func ExampleMemTotal() {
	file := "MemTotal:       16384 kB\nMemFree:         1024 kB\n"
	v, err := meminfo.MemTotal(strings.NewReader(file), "/proc/meminfo")
	fmt.Println(v, err)
	_, err = meminfo.MemTotal(strings.NewReader("MemFree: 1 kB\nMemTotal: lots kB\n"), "/proc/meminfo")
	fmt.Println(err)
	// Output:
	// 16777216 <nil>
	// meminfo: bad format: /proc/meminfo:2: MemTotal "lots" is not a size in kB
}
