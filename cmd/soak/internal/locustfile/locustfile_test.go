package locustfile

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/parser"

	"github.com/soaklab/soak/engine/scenario"
)

// docsLocustfile is docs/locust.md's five-class locustfile.
func docsLocustfile(t testing.TB) []byte {
	t.Helper()
	src, err := os.ReadFile("../../../../docs/scenarios/locustfile.py")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestReadDocsLocustfile: the sketch of docs/locust.md's locustfile has
// its five classes with their weights and waits, the login in on_start
// with the username as a printf template, the retry that its 401 check
// asks for, every task with its weight and requests, and parses as a
// scenario whose only problems are the variables left to capture.
func TestReadDocsLocustfile(t *testing.T) {
	f, err := Read(docsLocustfile(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range f.Classes {
		var tasks []string
		for _, tk := range c.Tasks {
			var reqs []string
			for _, r := range tk.Requests {
				reqs = append(reqs, r.Method+" "+r.Path)
			}
			tasks = append(tasks, tk.Name+"x"+itoa(tk.Weight)+"["+strings.Join(reqs, ", ")+"]")
		}
		got = append(got, c.Name+" "+itoa(c.Weight)+" "+c.Wait+": "+strings.Join(tasks, " "))
	}
	want := []string{
		`AuthenticatedUser 65 between(1, 3): open_a_trending_storyx6[GET /api/discovery/trending, GET /api/stories/{{slug}}] a_storyx4[GET /api/stories/story-{{printf("%04d", random_int(1, 5000))}}] mex5[GET /api/users/me] shelvesx4[GET /api/library/shelves] searchx2[GET /api/search/stories]`,
		`UnauthenticatedUser 25 between(1, 3): trendingx4[GET /api/discovery/trending] a_storyx4[GET /api/stories/story-{{printf("%04d", random_int(1, 5000))}}]`,
		`WriterUser 4 between(2, 5): publishx5[POST /api/stories] minex3[GET /api/stories/mine]`,
		`WhisperUser 5 between(1, 3): whisperx1[POST /api/whispers]`,
		`HealthCheckUser 1 constant(1): healthx3[GET /health] readyx1[GET /health/ready]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("classes\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	auth := f.Classes[0]
	if len(auth.OnStart) != 1 || auth.OnStart[0].Method != "POST" || auth.OnStart[0].Path != "/api/auth/login" || auth.Retry == 0 {
		t.Errorf("AuthenticatedUser on_start %+v, retry at line %d", auth.OnStart, auth.Retry)
	}
	if len(auth.Vars) != 1 || auth.Vars[0].Template != `user{{printf("%04d", random_int(1, 1000))}}` {
		t.Errorf("AuthenticatedUser vars %+v", auth.Vars)
	}
	out := f.YAML("locustfile.py")
	if _, err := parser.ParseBytes(out, 0); err != nil {
		t.Fatalf("the sketch is not YAML: %v\n%s", err, out)
	}
	_, err = scenario.Parse("sketch.yaml", out)
	var probs scenario.Problems
	if !errors.As(err, &probs) {
		t.Fatalf("Parse = %v; want the variables left to capture", err)
	}
	for _, p := range probs {
		if !strings.Contains(p.Msg, "unknown variable") {
			t.Errorf("problem beyond a variable to capture: %v", p)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestReadShapes: the Python shapes a locustfile takes, each read as
// Locust reads it, and the text that only looks like code left alone.
func TestReadShapes(t *testing.T) {
	src := `'''Not a class: class Fake(HttpUser): self.client.get("/no")'''
import locust
from locust import task, TaskSet

class Base(locust.HttpUser):
    abstract = True

class Browse(TaskSet):
    pass

class Shop(locust.FastHttpUser):  # a comment: self.client.get("/no")
    host = "http://127.0.0.1:8000"
    fixed_count = 2
    wait_time = locust.between(0.5, 2.5)
    tasks = {"cart": 3, Browse: 1}

    def cart(self):
        self.client.request("PUT", "/cart/" + self.item,
                            json={"n": 1},
                            name="/cart/[item]")
        self.client.get("http://127.0.0.1:8000/cart?x=#1")

    @task
    def checkout(self):
        self.client.post("/pay/%s/%05d" % (self.cart_id, self.n), catch_response=True)
        self.client.get(url)

    @locust.task(weight=7)
    def items(self):
        self.client.get(f"/items/{self.cat}/{{literal}}?p={page:3d}")
`
	f, err := Read([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Classes) != 1 || len(f.Notes) != 1 || !strings.Contains(f.Notes[0].Text, "TaskSet Browse") {
		t.Fatalf("classes %+v notes %+v", f.Classes, f.Notes)
	}
	c := f.Classes[0]
	if c.Name != "Shop" || c.Host != "http://127.0.0.1:8000" || c.Fixed != 2 || c.Wait != "" || len(c.Notes) != 1 {
		t.Errorf("class %+v", c)
	}
	var got []string
	for _, tk := range c.Tasks {
		for _, r := range tk.Requests {
			got = append(got, tk.Name+"x"+itoa(tk.Weight)+" "+r.Method+" "+r.Path+" "+r.Name+" "+itoa(len(r.Notes)))
		}
		if len(tk.Requests) == 0 {
			got = append(got, tk.Name+"x"+itoa(tk.Weight)+" none "+itoa(len(tk.Notes)))
		}
	}
	want := []string{
		`checkoutx1 POST /pay/{{cart_id}}/{{printf("%05d", n)}}  1`,
		`checkoutx1 GET /{{url}}  1`,
		`itemsx7 GET /items/{{cat}}/{literal}?p={{printf("%3d", page)}}  0`,
		`cartx3 PUT /cart/{{item}} /cart/[item] 1`,
		`cartx3 GET /cart?x=#1  1`,
		`Browsex1 none 1`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("tasks\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	if _, err := Read([]byte("print('no locust here')\nclass A:\n    pass\n")); !errors.Is(err, ErrNoUserClass) {
		t.Errorf("no class: %v", err)
	}
}

// FuzzRead reads arbitrary Python: it never panics, and a sketch it
// writes is always YAML, within a bound of its input's size.
func FuzzRead(f *testing.F) {
	f.Add(docsLocustfile(f))
	f.Add([]byte("class A(HttpUser):\n    @task(3)\n    def t(self):\n        self.client.get(f\"/{x:04d}\" + '\\\\' % (a, b))\n"))
	f.Add([]byte("class A(User):\n    tasks = [a, b]\n    def a(self):\n        self.a()\n        self.b()\n    def b(self):\n        self.a()\n"))
	f.Add([]byte("class A(HttpUser):\n\tdef on_start(self):\n\t\tself.x = \"\"\"\n}}{{\n\"\"\" \\\n + y\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Read(src)
		if err != nil {
			return
		}
		out := file.YAML("f.py")
		if _, err := parser.ParseBytes(out, 0); err != nil {
			t.Fatalf("not YAML: %v\n%s", err, out)
		}
		if len(out) > 8<<20 {
			t.Fatalf("a sketch of %d bytes from %d", len(out), len(src))
		}
	})
}
