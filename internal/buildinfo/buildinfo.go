// Package buildinfo says which soak this is, for `soak version`, run.json
// and the report's Load Generator row: one definition, read from what Go
// stamps into the binary.
//
//	buildinfo.Version() // "v1.2.0", "devel+1a2b3c4d5e6f", "devel+1a2b3c4d5e6f-dirty" or "devel"
//
// The version is, in order: the one set at link time (go build -ldflags
// "-X github.com/soaklab/soak/internal/buildinfo.version=v1.2.0"); the
// module's, when soak is built as a module (go install
// github.com/soaklab/soak/cmd/soak@v1.2.0); else "devel", with the VCS
// revision Go stamps when it builds from a checkout (go build, go
// install; go run and go test stamp none). Safe for concurrent use.
package buildinfo

import "runtime/debug"

// version is set at link time with -ldflags "-X ...buildinfo.version=V".
var version string

// Info is soak's build.
type Info struct {
	Version  string // see Version
	Revision string // the VCS revision, "" when Go stamped none
	Time     string // the revision's commit time (RFC 3339), or ""
	Modified bool   // the checkout had uncommitted changes
}

// Read returns soak's build.
func Read() Info {
	var in Info
	main := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		main = bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				in.Revision = s.Value
			case "vcs.time":
				in.Time = s.Value
			case "vcs.modified":
				in.Modified = s.Value == "true"
			}
		}
	}
	switch {
	case version != "":
		in.Version = version
	case main != "" && main != "(devel)":
		in.Version = main
	default:
		in.Version = "devel"
		if in.Revision != "" {
			in.Version += "+" + in.Revision[:min(len(in.Revision), 12)]
			if in.Modified {
				in.Version += "-dirty"
			}
		}
	}
	return in
}

// Version is Read().Version.
func Version() string { return Read().Version }
