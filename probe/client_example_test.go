package probe_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/soaklab/soak/probe"
)

// A probe that refuses the client's token answers 401: the error is a
// *probe.StatusError, whose Unauthorized tells it from a probe that is
// down, and whose message keeps the probe's hint.
func ExampleStatusError() {
	p := probe.New(probe.WithToken("s3cret-0123456789"))
	defer p.Close()
	admin := httptest.NewServer(p.Handler())
	defer admin.Close()
	c, _ := probe.NewClient(admin.URL, "wrong")
	_, err := c.Snapshot(context.Background())
	var se *probe.StatusError
	if errors.As(err, &se) && se.Unauthorized() {
		fmt.Println(se.Code, se.Message)
	}
	// Output: 401 unauthorized: send the probe's token in the Authorization header
}
