package locustfile_test

import (
	"fmt"

	"github.com/soaklab/soak/cmd/soak/internal/locustfile"
)

func ExampleRead() {
	src := []byte(`
from locust import HttpUser, between, task

class Reader(HttpUser):
    weight = 3
    wait_time = between(1, 3)

    @task(2)
    def story(self):
        self.client.get("/api/stories/story-%04d" % random.randint(1, 5000), name="/api/stories/[slug]")
`)
	f, err := locustfile.Read(src)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(f.YAML("locustfile.py")))
	// Output:
	// # A soak scenario sketched from locustfile.py by soak: its user classes, weights, waits, host,
	// # tasks and requests, read from the Python, never run. Finish each TODO (bodies, captures,
	// # data: docs/locust.md#porting-a-locustfile), then check it with soak validate FILE.
	// # host: give it here or with --host
	// classes:
	//   - name: "Reader"   # locustfile.py:4
	//     weight: 3
	//     wait: "between(1, 3)"
	//     tasks:
	//       - name: "story"   # locustfile.py:9
	//         weight: 2
	//         steps:
	//           - get: "/api/stories/story-{{printf(\"%04d\", random_int(1, 5000))}}"   # locustfile.py:10
	//             name: "/api/stories/[slug]"
}
