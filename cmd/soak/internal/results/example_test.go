package results_test

import (
	"fmt"

	"github.com/soaklab/soak/cmd/soak/internal/results"
)

func ExampleRedact() {
	fmt.Println(results.Redact([]string{"soak", "run", "--probe-token", "s3cret",
		"--probe", "http://127.0.0.1:6061", "--url", "/a b"}))
	// Output: soak run --probe-token REDACTED --probe http://127.0.0.1:6061 --url '/a b'
}

func ExampleRedactText() {
	fmt.Println(results.RedactText("dial postgres://root:pw@127.0.0.1:5432/test: refused"))
	// Output: dial postgres://root:REDACTED@127.0.0.1:5432/test: refused
}
