package redact_test

import (
	"fmt"

	"github.com/soaklab/soak/internal/redact"
)

func ExampleText() {
	fmt.Println(redact.Text("connecting to host=db user=app password='p w' dbname=app: refused"))
	fmt.Println(redact.Text("GET postgres://app@db/app?sslmode=require&password=pw: unauthorized: send the probe's token in the Authorization header"))
	// Output:
	// connecting to host=db user=app password='REDACTED' dbname=app: refused
	// GET postgres://app@db/app?sslmode=require&password=REDACTED: unauthorized: send the probe's token in the Authorization header
}

func ExampleArgs() {
	fmt.Println(redact.Args([]string{"soak", "run", "--probe-token", "t0k", "--url", "/a b"}))
	// Output: soak run --probe-token REDACTED --url '/a b'
}
