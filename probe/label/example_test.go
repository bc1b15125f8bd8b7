package label_test

import (
	"fmt"
	"net/http"

	"github.com/soaklab/soak/probe/label"
)

func ExampleParse() {
	h := http.Header{}
	h.Set(label.Header, "class=AuthenticatedUser;user=17;request=bad value with spaces")
	set := label.Parse(h)
	fmt.Printf("class=%s user=%s request=%q\n", set.Class, set.User, set.Request)
	// Output: class=AuthenticatedUser user=17 request=""
}

func ExampleSet_Value() {
	set := label.Set{Run: "20261128T051500Z-3f9a", Class: "AuthenticatedUser", User: "17", Request: "/api/stories/[slug]"}
	fmt.Printf("%s: %s\n", label.Header, set.Value())
	// Output: Soak-Labels: run=20261128T051500Z-3f9a;class=AuthenticatedUser;user=17;request=/api/stories/[slug]
}
