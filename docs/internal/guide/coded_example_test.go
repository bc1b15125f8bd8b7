package guide_test

import (
	"context"
	"fmt"
	"time"

	"github.com/soaklab/soak/engine"
)

// authenticatedUser is the seed scenario's AuthenticatedUser, written in
// Go (docs/scenarios-in-go.md): it logs in once, keeps the token for its
// lifetime, and opens trending stories and its profile.
func authenticatedUser() engine.Class {
	login := func(ctx context.Context, u *engine.User) error {
		resp, err := u.PostJSON(ctx, "/api/auth/login", "", map[string]string{
			"username": fmt.Sprintf("user%04d", u.ID),
			"password": "soak-demo",
		})
		if err != nil {
			return err
		}
		var body struct {
			Token string `json:"token"`
		}
		if err := resp.JSON(&body); err != nil {
			return err
		}
		u.Header.Set("Authorization", "Bearer "+body.Token) // sent with every later request
		return nil
	}
	openTrending := func(ctx context.Context, u *engine.User) error {
		resp, err := u.Get(ctx, "/api/discovery/trending", "")
		if err != nil {
			return err
		}
		var list struct {
			Stories []struct{ Slug string }
		}
		if err := resp.JSON(&list); err != nil {
			return err
		}
		if len(list.Stories) == 0 {
			return fmt.Errorf("no trending stories")
		}
		slug := list.Stories[u.Rand.IntN(len(list.Stories))].Slug
		_, err = u.Do(ctx, &engine.Request{
			Path:  "/api/stories/" + slug,
			Name:  "/api/stories/[slug]", // grouped as Locust's name=
			Check: engine.BodyContains(`"slug":"` + slug + `"`),
		})
		return err
	}
	me := func(ctx context.Context, u *engine.User) error {
		_, err := u.Do(ctx, &engine.Request{Path: "/api/users/me", Expect: []int{200}, Check: engine.ValidJSON})
		return err
	}
	return engine.Class{
		Name:    "AuthenticatedUser",
		Weight:  70,
		Wait:    engine.Between{Min: time.Second, Max: 3 * time.Second},
		OnStart: login,
		Tasks: []engine.Task{
			{Name: "open a trending story", Weight: 6, Do: openTrending},
			{Weight: 5, Do: me},
		},
	}
}

// Example_codedUser runs the Go-coded class against a stand-in for the
// demo service, for a second, with a short think time.
func Example_codedUser() {
	reader := authenticatedUser()
	reader.Wait = engine.Constant{D: 20 * time.Millisecond} // a short run: think less
	health := engine.Class{Name: "HealthCheckUser", Weight: 30, Tasks: []engine.Task{{Weight: 1,
		Do: func(ctx context.Context, u *engine.User) error {
			_, err := u.Do(ctx, &engine.Request{Path: "/health", Check: engine.BodyContains(`"ok"`)})
			return err
		}}}, Wait: engine.Constant{D: 50 * time.Millisecond}}

	res, err := engine.Run(context.Background(), engine.Plan{
		Handler:  storyService(), // served on a loopback port for the run; or Host: "http://127.0.0.1:8000"
		Load:     engine.Closed{Users: 10, SpawnRate: 0},
		Duration: time.Second,
		Classes:  []engine.Class{reader, health},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range res.Total.Stats {
		fmt.Printf("%-4s %-24s requests: %v, failures: %d\n", s.Method, s.Name, s.Requests > 0, s.Failures())
	}
	fmt.Println("task errors:", len(res.Total.Errors))
	// Output:
	// POST /api/auth/login          requests: true, failures: 0
	// GET  /api/discovery/trending  requests: true, failures: 0
	// GET  /api/stories/[slug]      requests: true, failures: 0
	// GET  /api/users/me            requests: true, failures: 0
	// GET  /health                  requests: true, failures: 0
	// task errors: 0
}
