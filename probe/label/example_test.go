package label_test

import (
	"fmt"
	"net/http"

	"github.com/soaklab/soak/probe/label"
)

func ExampleParse() {
	h := http.Header{}
	h.Set(label.HeaderClass, "AuthenticatedUser")
	h.Set(label.HeaderUser, "17")
	h.Set(label.HeaderRequest, "bad value with spaces")
	set := label.Parse(h)
	fmt.Printf("class=%s user=%s request=%q\n", set.Class, set.User, set.Request)
	// Output: class=AuthenticatedUser user=17 request=""
}
