package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// Input limits, enforced with a 400 that names the field.
const (
	maxBodyBytes    = 64 << 10 // any JSON request body
	maxTitleRunes   = 200
	maxStoryBytes   = 20000
	maxTags         = 5
	maxTagLen       = 32
	maxWhisperRunes = 280
	maxQueryRunes   = 100
	maxSlugLen      = 128
	maxCredential   = 128
)

// badRequest is a 400 whose message names what is wrong.
func badRequest(format string, args ...any) error {
	return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf(format, args...))
}

// decodeJSON reads one JSON object into v, refusing unknown fields,
// trailing data and bodies over maxBodyBytes.
func decodeJSON(c echo.Context, v any) error {
	r := c.Request()
	if ct := r.Header.Get(echo.HeaderContentType); ct != "" && !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "body must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("body: larger than %d bytes", maxBodyBytes))
		case errors.Is(err, io.EOF):
			return badRequest("body: empty; a JSON object is required")
		case errors.As(err, &typeErr):
			return badRequest("body: field %q must be %s", typeErr.Field, typeErr.Type)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return badRequest("body: %s", strings.TrimPrefix(err.Error(), "json: "))
		default:
			return badRequest("body: not valid JSON (%s)", strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	if dec.More() {
		return badRequest("body: data after the JSON object")
	}
	return nil
}

// bind decodes the request body into a T and checks it.
func bind[T any](c echo.Context, check func(*T) error) (T, error) {
	var in T
	if err := decodeJSON(c, &in); err != nil {
		return in, err
	}
	return in, check(&in)
}

// checkText returns a 400 unless s is non-blank valid UTF-8 of at most max
// runes (or bytes, when bytes is true). Bodies decoded by encoding/json are
// valid UTF-8 already (invalid bytes become U+FFFD); query strings may not
// be.
func checkText(field, s string, max int, bytes bool) error {
	switch {
	case strings.TrimSpace(s) == "":
		return badRequest("%s: required", field)
	case !utf8.ValidString(s):
		return badRequest("%s: not valid UTF-8", field)
	case bytes && len(s) > max:
		return badRequest("%s: longer than %d bytes", field, max)
	case !bytes && utf8.RuneCountInString(s) > max:
		return badRequest("%s: longer than %d characters", field, max)
	}
	return nil
}

func checkNewStory(s *NewStory) error {
	if err := checkText("title", s.Title, maxTitleRunes, false); err != nil {
		return err
	}
	if err := checkText("body", s.Body, maxStoryBytes, true); err != nil {
		return err
	}
	if len(s.Tags) > maxTags {
		return badRequest("tags: at most %d", maxTags)
	}
	if s.Tags == nil {
		s.Tags = []string{}
	}
	for i, t := range s.Tags {
		if !validToken(t, maxTagLen) {
			return badRequest("tags[%d]: must be 1 to %d of a-z, 0-9 and -", i, maxTagLen)
		}
	}
	return nil
}

func checkNewWhisper(w *NewWhisper) error {
	if err := checkText("body", w.Body, maxWhisperRunes, false); err != nil {
		return err
	}
	if w.Story != "" && !validToken(w.Story, maxSlugLen) {
		return badRequest("story: not a slug (a-z, 0-9 and -)")
	}
	return nil
}

// validToken reports whether s is 1 to max of a-z, 0-9 and '-': a tag or
// a slug.
func validToken(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// createdSlug makes the slug of a created story: its title in lower case
// with runs of other characters turned into '-', at most 48 bytes, then
// "-<id>", which keeps it unique.
func createdSlug(title string, id int64) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if b.Len() >= 48 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	base := strings.TrimSuffix(b.String(), "-")
	if base == "" {
		base = "story"
	}
	return base + "-" + strconv.FormatInt(id, 10)
}
