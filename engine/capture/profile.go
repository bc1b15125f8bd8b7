package capture

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Profile is a profile captured from a source at a moment.
type Profile struct {
	Source string    `json:"source"`
	Kind   string    `json:"kind"` // probe.ProfileHeap, probe.ProfileGoroutine or probe.ProfileGoroutineLeak
	Moment Moment    `json:"moment"`
	Time   time.Time `json:"time"`
	// Path is where the profile was saved, relative to the capture's
	// directory ("" when kept in memory only).
	Path string `json:"path,omitempty"`
	// Data is the profile (pprof proto); not part of the JSON record.
	Data  []byte `json:"-"`
	Error string `json:"error,omitempty"`
}

// ProfilePath is where a profile of source, kind and moment is saved,
// relative to the results directory: profiles/<source>-<kind>-<moment>.pb.gz.
func ProfilePath(source, kind string, m Moment) string {
	return filepath.Join("profiles", fileSafe(source)+"-"+kind+"-"+string(m)+".pb.gz")
}

// fileSafe maps a source name to a file name part: letters, digits, '.',
// '-' and '_' kept, the rest '_', at most 64 bytes.
func fileSafe(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	out := strings.Trim(string(b), ".")
	if len(out) > 64 {
		out = out[:64]
	}
	if out == "" {
		out = "source"
	}
	return out
}

// LoadProfiles reads the Data of every profile with a Path, relative to
// dir. A missing or unreadable file is recorded in that profile's Error,
// and the first such error is returned after every profile was tried.
func (c *Capture) LoadProfiles(dir string) error {
	var first error
	for i := range c.Profiles {
		p := &c.Profiles[i]
		if p.Path == "" || len(p.Data) > 0 {
			continue
		}
		if filepath.IsAbs(p.Path) || !filepath.IsLocal(p.Path) {
			p.Error = fmt.Sprintf("profile path %q is not inside the results directory", p.Path)
			first = cmp.Or(first, errors.New("capture: "+p.Error))
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, p.Path))
		if err != nil {
			p.Error = err.Error()
			first = cmp.Or(first, fmt.Errorf("capture: profile %s: %w", p.Path, err))
			continue
		}
		p.Data = b
	}
	return first
}

// ProfileError says why the profiles of source and kind at moments are
// missing, moment by moment: their capture errors, "not loaded" (read
// back without LoadProfiles), or "not captured"; "none missing" when each
// has data.
func (c *Capture) ProfileError(source, kind string, moments ...Moment) string {
	var why []string
	for _, m := range moments {
		found := false
		for i := range c.Profiles {
			p := &c.Profiles[i]
			if p.Source == source && p.Kind == kind && p.Moment == m {
				found = true
				if p.Error != "" {
					why = append(why, string(m)+": "+p.Error)
				} else if len(p.Data) == 0 {
					why = append(why, string(m)+": not loaded")
				}
			}
		}
		if !found {
			why = append(why, string(m)+": not captured")
		}
	}
	if len(why) == 0 {
		return "none missing"
	}
	return strings.Join(why, "; ")
}
