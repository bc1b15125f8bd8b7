package guide_test

import (
	"encoding/json"
	"net/http"
	"strings"
)

// storyService is a stand-in for the demo service's contract, enough for
// the examples: a login that returns a token, trending stories, a story
// page, the signed-in user, health and search.
func storyService() http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("POST /api/auth/login", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Username, Password string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Password != "soak-demo" {
			reply(w, http.StatusUnauthorized, map[string]string{"error": "bad credentials"})
			return
		}
		reply(w, http.StatusOK, map[string]string{"token": "t-" + in.Username})
	})
	mux.HandleFunc("GET /api/discovery/trending", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]any{"stories": []map[string]string{{"slug": "story-0001"}, {"slug": "story-0002"}}})
	})
	mux.HandleFunc("GET /api/stories/{slug}", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]string{"slug": r.PathValue("slug")})
	})
	mux.HandleFunc("GET /api/users/me", func(w http.ResponseWriter, r *http.Request) {
		user, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer t-")
		if !ok {
			reply(w, http.StatusUnauthorized, map[string]string{"error": "sign in"})
			return
		}
		reply(w, http.StatusOK, map[string]string{"username": user})
	})
	mux.HandleFunc("GET /api/search/stories", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]any{"stories": []string{}})
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return mux
}
