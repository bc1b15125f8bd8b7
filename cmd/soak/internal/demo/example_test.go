package demo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/soaklab/soak/cmd/soak/internal/demo"
)

func ExampleFaultNames() {
	for _, f := range demo.FaultNames() {
		fmt.Println(f.Name, f.NeedsDatabase)
	}
	// Output:
	// conn-leak true
	// goroutine-leak false
	// heap-leak false
	// pool-exhausted true
	// rows-leak true
	// slow-trending false
}

func ExampleNew() {
	ctx := context.Background()
	svc, err := demo.New(ctx, demo.Config{}) // in memory, no fault
	if err != nil {
		fmt.Println(err)
		return
	}
	defer svc.Close(ctx)
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()

	login := `{"username":"user0001","password":"` + demo.SeedPassword + `"}`
	resp, err := http.Post(srv.URL+"/api/auth/login", "application/json", strings.NewReader(login))
	if err != nil {
		fmt.Println(err)
		return
	}
	var out struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/api/users/me", nil)
	req.Header.Set("Authorization", "Bearer "+out.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	var me demo.User
	json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, me.Username, me.StoryCount)
	// Output: 200 user0001 5
}

func ExampleListen() {
	ctx := context.Background()
	svc, err := demo.New(ctx, demo.Config{Faults: []string{demo.FaultHeapLeak}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer svc.Close(ctx)
	srv, err := demo.Listen(svc, "127.0.0.1:0", "127.0.0.1:0") // any free loopback ports
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown(ctx)

	// Point soak at srv.URL(), and its --probe at srv.AdminURL().
	for _, url := range []string{srv.URL() + "/health", srv.AdminURL() + "/snapshot"} {
		resp, err := http.Get(url)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	// Output:
	// 200
	// 200
}
